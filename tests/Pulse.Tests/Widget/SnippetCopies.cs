using System.Text.RegularExpressions;
using Pulse.Api.Widget;

namespace Pulse.Tests.Widget;

/// <summary>
/// The loader line of the snippet has one source, <c>widget/loader.js</c>. Every other place that
/// shows it (README, the dashboard's Setup view, samples/plain-html, VendorApp's page) must be that
/// line with only the script URL changed.
/// </summary>
public static class SnippetCopies
{
    const string SourceUrl = "'https://pulse.example.com/widget/v1/pulse.js'";

    /// <summary>The first line of widget/loader.js: the queue stub and the async script tag.</summary>
    public static string LoaderLine => WidgetAssets.Current.Loader.ReplaceLineEndings("\n").Split('\n')[0];

    /// <summary>Matches the loader line with any quoted script URL ending in /widget/v1/pulse.js.</summary>
    public static Regex Pattern()
    {
        var line = LoaderLine;
        var at = line.IndexOf(SourceUrl, StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThan(0), "widget/loader.js loads " + SourceUrl);
        return new Regex(Regex.Escape(line[..at]) + @"(?<url>'[^'\n]*/widget/v1/pulse\.js'|""[^""\n]*/widget/v1/pulse\.js"")" +
            Regex.Escape(line[(at + SourceUrl.Length)..]));
    }

    /// <summary>The script URL of the loader line found in <paramref name="text"/>; fails when there is none.</summary>
    public static string UrlIn(string text, string where)
    {
        var match = Pattern().Match(text);
        Assert.That(match.Success, Is.True, $"{where} does not show the loader line of widget/loader.js (only the script URL may differ):\n{LoaderLine}");
        return match.Groups["url"].Value;
    }
}

public sealed class SnippetCopiesTests
{
    [Test]
    public void Readme_ShowsTheLoaderVerbatim() =>
        Assert.That(SnippetCopies.UrlIn(Support.Repository.Read("README.md"), "README.md"), Is.EqualTo("'https://pulse.example.com/widget/v1/pulse.js'"));

    [Test]
    public void PlainHtmlSample_ShowsTheLoader_WithARelativeUrl() =>
        Assert.That(SnippetCopies.UrlIn(Support.Repository.Read("samples/plain-html/index.html"), "samples/plain-html/index.html"), Is.EqualTo("'/widget/v1/pulse.js'"));

    [Test]
    public void DashboardSetupView_ShowsTheLoader_WithThisServersUrl() =>
        Assert.That(SnippetCopies.UrlIn(Support.Repository.Read("api/Dashboard/assets/view-setup.js"), "the dashboard's Setup view"), Is.EqualTo("'${origin}/widget/v1/pulse.js'"));

    [Test]
    public void Pattern_RefusesAnEditedCopy()
    {
        var edited = SnippetCopies.LoaderLine.Replace("s.async=1;", "s.async=true;", StringComparison.Ordinal);
        Assert.That(SnippetCopies.Pattern().IsMatch(edited), Is.False);
    }
}
