using System.Text.RegularExpressions;
using Pulse.Api.Widget;
using Pulse.Tests.Support;

namespace Pulse.Tests.Widget;

/// <summary>
/// The widget as served is NUglify's minification of widget/pulse.js, made at build time by the
/// MinifyWidget target of Pulse.Api.csproj; the browser tests run exactly these bytes.
/// </summary>
public sealed class WidgetMinifyTests
{
    static readonly string Source = Repository.Read("widget/pulse.js");
    static readonly string Served = System.Text.Encoding.UTF8.GetString(WidgetAssets.Current.Script.Bytes);

    /// <summary>The text of each single-quoted literal in the source's code (comment lines left out), unescaped.</summary>
    static List<string> StringLiterals()
    {
        var code = string.Join('\n', Source.Split('\n').Where(line =>
            !line.TrimStart().StartsWith('*') && !line.TrimStart().StartsWith("/*", StringComparison.Ordinal) && !line.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        return [.. Regex.Matches(code, @"'((?:[^'\\\n]|\\.)*)'").Select(m => Regex.Unescape(m.Groups[1].Value))];
    }

    [Test]
    public void Widget_KeepsEveryStringLiteral_AndLosesEveryComment()
    {
        var literals = StringLiterals();
        Assert.That(literals, Has.Count.GreaterThan(50));
        using (Assert.EnterMultipleScope())
        {
            foreach (var literal in literals.Where(l => l.Length > 0))
                Assert.That(Served, Does.Contain(literal).Or.Contain(literal.Replace("\"", "\\\"", StringComparison.Ordinal)), literal);
            Assert.That(Served, Does.Not.Contain("Pulse widget: the in-app NPS survey"), "the header comment");
            Assert.That(Served, Does.Not.Contain("/*"));
            Assert.That(Served, Does.Not.Match(@"(^|[;{}])\s*//"));
            Assert.That(Served.Length, Is.LessThan(Source.Length * 3 / 4), "minified");
        }
    }

    /// <summary>A script NUglify cannot parse fails the build, naming the file, line and column.</summary>
    [Test]
    [Category(TestCategories.Process)]
    public async Task ScriptThatDoesNotParse_FailsTheBuild()
    {
        using var dir = new TempDirectory();
        var bad = dir.File("pulse.js");
        await File.WriteAllTextAsync(bad, "(function () {\n  var = ;\n})();\n");
        var (exitCode, output) = await Shell.RunAsync("dotnet",
            ["msbuild", Repository.Path("api/Pulse.Api.csproj"), "-t:MinifyWidget", "-nologo", $"-p:WidgetSources={bad}", $"-p:WidgetOutDir={dir.File("out")}/"]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Not.Zero, output);
            Assert.That(output, Does.Contain("pulse.js(2,").And.Contain("error JS"));
            Assert.That(File.Exists(dir.File("out/pulse.min.js")), Is.False);
        }
    }
}
