using Microsoft.Extensions.Time.Testing;
using System.Text.Json;
using Pulse.Api.Workspaces;
using Pulse.Client;
using Pulse.Tests.Support;

namespace Pulse.Tests.Client;

/// <summary>
/// The tag helper's HTML in a page of a second loopback origin under a strict CSP (a nonce, no
/// 'unsafe-inline'), in Chromium: the widget appears for a user whose id and traits try to break
/// out, the ids reach Pulse unchanged, nothing injected runs.
/// </summary>
public sealed class SnippetBrowserTests : BrowserTest
{
    PulseFactory _pulse = null!;
    HostSite _site = null!;
    CreatedWorkspace _workspace = null!;

    [OneTimeSetUp]
    public async Task StartServers()
    {
        _pulse = new PulseFactory(time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        _pulse.StartKestrel();
        _site = await HostSite.StartAsync();
        _workspace = _pulse.CreateWorkspace("Acme HR", [_site.Origin], requireUserHash: true);
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        if (_site is not null)
            await _site.DisposeAsync();
        _pulse?.Dispose();
    }

    /// <summary>A page whose head is the tag helper's output for <paramref name="user"/> with nonce <paramref name="nonce"/>, served under a CSP allowing <paramref name="cspNonce"/>.</summary>
    async Task<string> HostPage(string name, PulseUser user, string nonce, string cspNonce)
    {
        var helper = SnippetTagHelperTests.Helper(new PulseOptions
        {
            BaseUrl = _pulse.Address!.ToString(),
            SiteKey = _workspace.SiteKey,
            IdentitySecret = _workspace.IdentitySecret,
        });
        helper.User = user;
        helper.Nonce = nonce;
        var snippet = await SnippetTagHelperTests.RenderAsync(helper);
        var api = _pulse.Address!.GetLeftPart(UriPartial.Authority);
        return _site.Page($"/{name}.html", $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>host</title>{snippet}</head><body><p>Acme HR</p></body></html>",
            new Dictionary<string, string>
            {
                ["Content-Security-Policy"] = $"default-src 'none'; script-src 'nonce-{cspNonce}' {api}; connect-src {api}; style-src 'self'; object-src 'none'; base-uri 'none'",
            });
    }

    [Test]
    public async Task HostileUser_SeesTheSurvey_TheIdsReachPulseUnchanged_AndNothingInjectedRuns()
    {
        var user = SnippetTagHelperTests.Hostile(Guid.NewGuid().ToString("n"), _pulse.Time.GetUtcNow().AddDays(-400));
        var url = await HostPage("hostile", user, "r4nd0m", "r4nd0m");

        var request = await Page.RunAndWaitForRequestAsync(() => Page.GotoAsync(url),
            r => r.Method == "POST" && new Uri(r.Url).AbsolutePath == "/v1/eligibility");
        await Page.Locator("pulse-survey legend").WaitForAsync();

        var sent = JsonDocument.Parse(request.PostData!).RootElement;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sent.GetProperty("user").GetProperty("id").GetString(), Is.EqualTo(user.Id));
            Assert.That(sent.GetProperty("user").GetProperty("traits").GetProperty("plan").GetString(), Is.EqualTo(user.Traits!["plan"].AsString));
            Assert.That(sent.GetProperty("user").GetProperty("traits").GetProperty("note").GetString(), Is.EqualTo(user.Traits["note"].AsString));
            Assert.That(await Page.EvaluateAsync<bool>("() => typeof window.pwned === 'undefined'"), Is.True);
            Assert.That(await Page.Locator("img").CountAsync(), Is.Zero);
            Assert.That(Current.Errors, Is.Empty);
            Assert.That(Current.Console, Has.None.Contains("Content Security Policy"));
            Assert.That(Current.Console, Has.None.Contains("[pulse]"));
        }
    }

    [Test]
    public async Task AnotherNonce_IsBlockedByTheCsp_SoTheNonceIsWhatLetsTheSnippetRun()
    {
        var url = await HostPage("wrong-nonce", new PulseUser("u-" + Guid.NewGuid().ToString("n")) { CreatedAt = _pulse.Time.GetUtcNow().AddDays(-400) }, "stale", "fresh");

        await Page.GotoAsync(url);
        await Current.WaitForConsoleAsync("Content Security Policy");

        Assert.That(await Page.EvaluateAsync<bool>("() => typeof window.pulse === 'undefined'"), Is.True);
    }
}
