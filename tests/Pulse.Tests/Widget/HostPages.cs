using System.Text.Json;
using Pulse.Api.Widget;

namespace Pulse.Tests.Widget;

/// <summary>Pages of a pretend vendor product that embed the widget the way the README says.</summary>
static class HostPages
{
    /// <summary>
    /// The host's own watchdog (served as a file, so it runs under a strict CSP too): records every
    /// uncaught error, unhandled rejection and CSP violation the page sees.
    /// </summary>
    public const string Probe = """
        window.hostProbe = { errors: [], violations: [] };
        addEventListener('error', function (e) { hostProbe.errors.push('error: ' + e.message); });
        addEventListener('unhandledrejection', function (e) { hostProbe.errors.push('rejection: ' + e.reason); });
        document.addEventListener('securitypolicyviolation', function (e) {
          hostProbe.violations.push(e.violatedDirective + ' ' + e.blockedURI);
        });
        """;

    public const string Body = """
        <header id="top"><h1 id="title">Acme HR</h1></header>
        <main id="content">
          <p id="text">Your open positions</p>
          <button id="host-button" type="button">New position</button>
        </main>
        """;

    /// <summary>The README snippet: its stub line with this script URL, then <c>pulse('init', …)</c>.</summary>
    public static string Snippet(string scriptUrl, object init)
    {
        var stub = WidgetAssets.Current.Loader.Split('\n')[0]
            .Replace("https://pulse.example.com/widget/v1/pulse.js", scriptUrl, StringComparison.Ordinal);
        return stub + "\npulse('init', " + JsonSerializer.Serialize(init) + ");";
    }

    public static string Html(string head, string body = Body, string lang = "en") => $"""
        <!doctype html>
        <html lang="{lang}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Host page</title>
        <script src="/probe.js"></script>
        {head}
        </head>
        <body>
        {body}
        </body>
        </html>
        """;

    /// <summary>A user who signed up long enough ago to be surveyed on the first visit.</summary>
    public static object User(string id, DateTimeOffset now, string? plan = "premium") => new
    {
        id,
        email = id + "@example.com",
        createdAt = now.AddDays(-60).ToString("O"),
        traits = new { plan, role = "admin" },
    };
}
