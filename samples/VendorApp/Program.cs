// VendorApp: a pretend SaaS product ("Acme HR") that embeds Pulse the way a vendor would, with the
// client packages (Pulse.Client, Pulse.Client.AspNetCore):
//  - GET /              a Razor page whose <pulse-snippet> renders the snippet for the signed-in user,
//                       userHash signed on the server, under a strict CSP with a per-request nonce
//  - GET /server-side   asks Pulse from the server with the secret key (IPulseClient)
// Run Pulse (`dotnet run --project api`), then `dotnet run --project samples/VendorApp` and open
// http://localhost:5090. Settings: section "Pulse" (BaseUrl, SiteKey, SecretKey, IdentitySecret) in
// appsettings.json (the keys of the demo workspace ws_demo_verified, which requires userHash, so the
// signature is really checked), `--Pulse:BaseUrl http://localhost:5080` or `Pulse__SecretKey=sk_…`.
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Pulse.Client;
using Pulse.Client.AspNetCore;
using VendorApp;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddPulse();
builder.Services.AddRazorPages();
builder.Services.Configure<PulseSnippetOptions>(o => o.Nonce = http => http.Items[Csp.NonceKey] as string);
builder.Services.AddSingleton(TimeProvider.System);

var app = builder.Build();
app.Use(Csp.Apply);
app.MapRazorPages();
app.MapGet("/server-side", ServerSide);
app.Run();

static async Task<IResult> ServerSide(string? @as, string? @event, IPulseClient pulse, TimeProvider time, CancellationToken cancellationToken)
{
    var user = Users.Find(@as);
    string status, body;
    try
    {
        var result = await pulse.CheckEligibilityAsync(new EligibilityCheck(user.ToPulse(time.GetUtcNow())) { Event = @event, Locale = "en" }, cancellationToken);
        (status, body) = ("200", JsonSerializer.Serialize(result, Pretty.Options));
    }
    catch (PulseApiException ex)
    {
        (status, body) = (ex.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
    }
    catch (PulseUnavailableException ex)
    {
        // A survey tool must never break the product's own pages.
        (status, body) = ("0", "Pulse did not answer: " + ex.Message);
    }
    static string Html(string text) => WebUtility.HtmlEncode(text);
    return Results.Content($"""
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Acme HR — {Html(user.Name)}</title></head>
        <body style="font: 16px/1.5 system-ui, sans-serif; margin: 0">
        <header style="background: #0f766e; color: #fff; padding: 12px 24px"><strong>Acme HR</strong> (VendorApp sample)</header>
        <main style="max-width: 760px; padding: 12px 24px">
        <p>The server asked Pulse whether <strong>{Html(user.Name)}</strong> should be surveyed now, with the secret key
          (<code>IPulseClient.CheckEligibilityAsync</code>: <code>POST /v1/eligibility</code>, <code>Authorization: Bearer sk_…</code>).
          Use this from back ends and mobile apps, e.g. to send the survey by email with the display token. Pulse answered
          <strong id="status">{status}</strong>:</p>
        <pre id="answer">{Html(body)}</pre>
        <p><a href="/?as={user.Key}">Back</a></p>
        </main>
        </body>
        </html>
        """, "text/html; charset=utf-8", Encoding.UTF8);
}

/// <summary>A strict Content-Security-Policy with a fresh nonce per request: only scripts carrying it, and Pulse's, run.</summary>
static class Csp
{
    public const string NonceKey = "csp-nonce";

    public static Task Apply(HttpContext context, Func<Task> next)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        var pulse = new Uri(context.RequestServices.GetRequiredService<IOptions<PulseOptions>>().Value.BaseUrl).GetLeftPart(UriPartial.Authority);
        context.Response.Headers.ContentSecurityPolicy =
            $"script-src 'nonce-{nonce}' {pulse}; connect-src 'self' {pulse}; object-src 'none'; base-uri 'none'";
        return next();
    }
}

static class Pretty
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>Internal on purpose: Pulse.Tests hosts this app next to Pulse.Api, whose Program is public.</summary>
internal partial class Program;
