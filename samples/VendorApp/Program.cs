// VendorApp: a pretend SaaS product ("Acme HR") that embeds Pulse the way a vendor would.
//  - GET /              renders the snippet for the signed-in user, with userHash signed on the server
//  - GET /server-side   asks Pulse from the server with a secret key (for emails, mobile apps, …)
// Run Pulse (`dotnet run --project api`), then `dotnet run --project samples/VendorApp` and open
// http://localhost:5090. Settings: section "Pulse" (Url, SiteKey, SecretKey, IdentitySecret), e.g.
// `--Pulse:Url http://localhost:5080` or `Pulse__SecretKey=sk_…`; the defaults are the demo workspace's.
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using VendorApp;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddOptions<PulseSettings>().BindConfiguration(PulseSettings.Section);
builder.Services.AddHttpClient<PulseClient>();
builder.Services.AddSingleton(TimeProvider.System);

var app = builder.Build();
app.MapGet("/", Home);
app.MapGet("/server-side", ServerSide);
app.Run();

static IResult Home(string? @as, IOptions<PulseSettings> options, TimeProvider time)
{
    var settings = options.Value;
    var user = Users.Find(@as);
    // What the widget sends to Pulse. userHash proves to Pulse that this page was rendered by a
    // server that knows the identity secret, so nobody can answer surveys as someone else.
    var init = new
    {
        siteKey = settings.SiteKey,
        user = user.ToPulse(time.GetUtcNow()),
        userHash = IdentityVerification.UserHash(settings.IdentitySecret, user.Id),
    };
    // JSON with the default encoder escapes <, >, & and quotes, so it is safe inside <script>.
    var snippet =
        "!function(w,d,s){w.pulse=w.pulse||function(){(w.pulse.q=w.pulse.q||[]).push(arguments)};s=d.createElement('script');" +
        $"s.async=1;s.src={JsonSerializer.Serialize(settings.Url.TrimEnd('/') + "/widget/v1/pulse.js")};d.head.appendChild(s)}}(window,document);\n" +
        $"pulse('init',{JsonSerializer.Serialize(init)});";
    var others = string.Join(" · ", Users.All.Select(u => $"<a href=\"/?as={u.Key}\">{Html(u.Name)}</a>"));
    return Page(user, $$"""
        <script>
        {{snippet}}
        </script>
        """, $$"""
        <p>Signed in as <strong>{{Html(user.Name)}}</strong> ({{Html(user.Plan)}} plan, signed up {{user.DaysSinceSignUp}} days ago).
          Sign in as {{others}}.</p>
        <p>Pulse shows the NPS survey in the corner when this user is due (signed up more than 30 days ago,
          not surveyed recently). The page's server signed the user id with the identity secret.</p>
        <p><button id="case" type="button">Close a support case</button> calls <code>pulse('track', 'support_case_closed')</code>,
          which shows an event-triggered survey if the workspace has one.</p>
        <p><button id="logout" type="button">Log out</button> calls <code>pulse('reset')</code>: the survey goes away and the user is forgotten.</p>
        <p><a href="/server-side?as={{user.Key}}">Ask Pulse from the server</a> with the secret key instead.</p>
        <ul id="events"></ul>
        <script>
        ['shown', 'answered', 'dismissed'].forEach(function (name) {
          pulse('on', name, function (detail) {
            var li = document.createElement('li');
            li.textContent = 'pulse: ' + name + ' ' + JSON.stringify(detail);
            document.getElementById('events').appendChild(li);
          });
        });
        document.getElementById('case').onclick = function () { pulse('track', 'support_case_closed'); };
        document.getElementById('logout').onclick = function () { pulse('reset'); };
        </script>
        """);
}

static async Task<IResult> ServerSide(string? @as, string? @event, PulseClient pulse, TimeProvider time, CancellationToken cancellationToken)
{
    var user = Users.Find(@as);
    var (status, body) = await pulse.CheckEligibilityAsync(user.ToPulse(time.GetUtcNow()), @event, cancellationToken);
    return Page(user, "", $"""
        <p>The server asked Pulse whether <strong>{Html(user.Name)}</strong> should be surveyed now, with the secret key
          (<code>POST /v1/eligibility</code>, <code>Authorization: Bearer sk_…</code>). Use this from back ends and mobile
          apps, e.g. to send the survey by email with the display token. Pulse answered <strong id="status">{status}</strong>:</p>
        <pre id="answer">{Html(body)}</pre>
        <p><a href="/?as={user.Key}">Back</a></p>
        """);
}

static string Html(string text) => WebUtility.HtmlEncode(text);

static IResult Page(VendorUser user, string head, string main) => Results.Content($"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Acme HR — {Html(user.Name)}</title>
    {head}
    </head>
    <body style="font: 16px/1.5 system-ui, sans-serif; margin: 0">
    <header style="background: #0f766e; color: #fff; padding: 12px 24px"><strong>Acme HR</strong> (VendorApp sample)</header>
    <main style="max-width: 760px; padding: 12px 24px">
    {main}
    </main>
    </body>
    </html>
    """, "text/html; charset=utf-8", Encoding.UTF8);

/// <summary>Internal on purpose: Pulse.Tests hosts this app next to Pulse.Api, whose Program is public.</summary>
internal partial class Program;
