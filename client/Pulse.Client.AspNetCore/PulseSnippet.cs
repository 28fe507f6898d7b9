using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pulse.Client.AspNetCore;

/// <summary>
/// The widget's snippet for one user: the loader of <c>widget/loader.js</c> pointing at
/// <see cref="PulseOptions.BaseUrl"/>, then <c>pulse('init', {…})</c> with the site key, the user and
/// the <c>userHash</c> computed here on the server. Every value is JSON with &lt;, &gt;, &amp;, quotes
/// and non-ASCII characters escaped, so no user id or trait can end the script or inject HTML.
/// </summary>
public static class PulseSnippet
{
    /// <summary>The URL the loader in <c>widget/loader.js</c> is written with; replaced by the real one.</summary>
    internal const string LoaderPlaceholder = "'https://pulse.example.com/widget/v1/pulse.js'";

    static readonly Lazy<string> LoaderLine = new(ReadLoader);

    /// <summary>The two lines of JavaScript (loader and init call), without a &lt;script&gt; element.</summary>
    /// <param name="options">Where Pulse is and the keys: <see cref="PulseOptions.SiteKey"/> is required; <see cref="PulseOptions.IdentitySecret"/> signs the user id when set.</param>
    /// <param name="user">The signed-in user.</param>
    /// <param name="locale">The language of the survey; null lets the widget use the browser's.</param>
    /// <exception cref="InvalidOperationException"><c>Pulse:SiteKey</c> is not set.</exception>
    public static string Script(PulseOptions options, PulseUser user, string? locale = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(user);
        if (string.IsNullOrEmpty(options.SiteKey))
            throw new InvalidOperationException("The snippet needs the workspace's site key: set Pulse:SiteKey (pk_…).");
        var baseUrl = options.BaseUrl.EndsWith('/') ? options.BaseUrl : options.BaseUrl + "/";
        var scriptUrl = new Uri(new Uri(baseUrl, UriKind.Absolute), "widget/v1/pulse.js").AbsoluteUri;
        var init = new SnippetInit(
            options.SiteKey,
            user,
            string.IsNullOrEmpty(options.IdentitySecret) ? null : UserHash.Compute(options.IdentitySecret, user.Id),
            string.IsNullOrEmpty(locale) ? null : locale);
        return LoaderLine.Value.Replace(LoaderPlaceholder, JsonSerializer.Serialize(scriptUrl, SnippetJsonContext.Default.String), StringComparison.Ordinal)
            + "\npulse('init'," + JsonSerializer.Serialize(init, SnippetJsonContext.Default.SnippetInit) + ");";
    }

    /// <summary>The snippet as an inline <c>&lt;script&gt;</c> element, with <paramref name="nonce"/> for a strict Content-Security-Policy.</summary>
    /// <param name="options">Where Pulse is and the keys (see <see cref="Script"/>).</param>
    /// <param name="user">The signed-in user.</param>
    /// <param name="nonce">The page's CSP nonce (<c>script-src 'nonce-…'</c>); null for none.</param>
    /// <param name="locale">The language of the survey; null lets the widget use the browser's.</param>
    public static string Html(PulseOptions options, PulseUser user, string? nonce = null, string? locale = null)
    {
        var script = Script(options, user, locale);
        return string.IsNullOrEmpty(nonce)
            ? $"<script>\n{script}\n</script>"
            : $"<script nonce=\"{System.Net.WebUtility.HtmlEncode(nonce)}\">\n{script}\n</script>";
    }

    /// <summary>The loader line of <c>widget/loader.js</c>, compiled into this assembly.</summary>
    static string ReadLoader()
    {
        using var stream = typeof(PulseSnippet).Assembly.GetManifestResourceStream("Pulse.Client.AspNetCore.loader.js")
            ?? throw new InvalidOperationException("widget/loader.js is missing from Pulse.Client.AspNetCore.");
        using var reader = new StreamReader(stream);
        var line = reader.ReadLine() ?? "";
        if (!line.Contains(LoaderPlaceholder, StringComparison.Ordinal))
            throw new InvalidOperationException($"The first line of widget/loader.js no longer loads {LoaderPlaceholder}.");
        return line;
    }
}

/// <summary>The argument of <c>pulse('init', …)</c>.</summary>
internal sealed record SnippetInit(string SiteKey, PulseUser User, string? UserHash, string? Locale);

/// <summary>
/// Source-generated JSON with the default encoder (<c>JavaScriptEncoder.Default</c>), which escapes
/// &lt;, &gt;, &amp;, ', ", + and every non-ASCII character (U+2028 included): safe inside &lt;script&gt;.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SnippetInit))]
[JsonSerializable(typeof(string))]
internal sealed partial class SnippetJsonContext : JsonSerializerContext;
