using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using VendorApp;

namespace Pulse.Tests.Widget;

/// <summary>samples/VendorApp, configured with a real workspace of a real Pulse on loopback.</summary>
public sealed partial class VendorAppTests
{
    PulseFactory _pulse = null!;
    VendorAppFactory _vendor = null!;
    CreatedWorkspace _workspace = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _pulse = new PulseFactory();
        _pulse.StartKestrel();
        _workspace = _pulse.CreateWorkspace("Acme HR", ["http://127.0.0.1:*"], requireUserHash: true);
        _vendor = VendorAppFactory.For(_pulse, _workspace);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _vendor.Dispose();
        _pulse.Dispose();
    }

    [GeneratedRegex(@"pulse\('init',(\{.*\})\);")]
    private static partial Regex InitCall();

    async Task<JsonElement> RenderedInit(string user)
    {
        using var http = _vendor.CreateClient();
        var html = await http.GetStringAsync($"/?as={user}");
        var match = InitCall().Match(html);
        Assert.That(match.Success, Is.True, html);
        return JsonDocument.Parse(match.Groups[1].Value).RootElement.Clone();
    }

    [Test]
    public async Task Page_ShowsTheLoaderOfWidgetLoaderJs_WithPulsesUrl()
    {
        using var http = _vendor.CreateClient();
        var html = await http.GetStringAsync("/?as=ada");
        Assert.That(SnippetCopies.UrlIn(html, "VendorApp's page"), Is.EqualTo($"\"{_pulse.Address!.ToString().TrimEnd('/')}/widget/v1/pulse.js\""));
    }

    [TestCase("ada")]
    [TestCase("grace")]
    public async Task Page_SignsTheUserId_AsPulseVerifiesIt(string user)
    {
        var init = await RenderedInit(user);
        var id = init.GetProperty("user").GetProperty("id").GetString()!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(init.GetProperty("siteKey").GetString(), Is.EqualTo(_workspace.SiteKey));
            Assert.That(Keys.VerifyUserHash(_workspace.IdentitySecret, id, init.GetProperty("userHash").GetString()), Is.True);
            Assert.That(init.GetProperty("user").GetProperty("traits").GetProperty("plan").GetString(), Is.Not.Empty);
        }
    }

    [Test]
    public async Task RenderedSnippet_IsAcceptedByPulse_AndATamperedHashIsNot()
    {
        var init = await RenderedInit("grace");
        using var browser = _pulse.BrowserClient("http://127.0.0.1:5090");

        var accepted = await browser.PostAsync("/v1/eligibility", Json.Body(init.GetRawText()));
        var tampered = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(init.GetRawText())!;
        tampered["userHash"] = JsonSerializer.SerializeToElement(Keys.UserHash(_workspace.IdentitySecret, "usr_someone_else"));
        var refused = await browser.PostAsync("/v1/eligibility", Json.Of(tampered));

        var answer = await accepted.ReadJson<JsonElement>();
        Assert.That(answer.GetProperty("eligible").GetBoolean(), Is.True, answer.ToString());
        await refused.AssertProblem(401);
    }

    [Test]
    public async Task ServerSidePage_AsksPulseWithTheSecretKey()
    {
        using var http = _vendor.CreateClient();
        var html = await http.GetStringAsync("/server-side?as=linus");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(html, Does.Contain("<strong id=\"status\">200</strong>"));
            Assert.That(html, Does.Contain("&quot;reason&quot;: &quot;too_new&quot;"), "Linus signed up 3 days ago");
        }
    }

    [Test]
    public async Task ServerSidePage_SurvivesPulseBeingDown()
    {
        using var down = new VendorAppFactory(new() { ["Pulse:BaseUrl"] = "http://127.0.0.1:9" }, _pulse.Time);
        using var http = down.CreateClient();

        var response = await http.GetAsync("/server-side");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Pulse did not answer"));
    }

    [Test]
    public async Task Page_LoadsTheWidgetFromTheConfiguredPulse()
    {
        using var http = _vendor.CreateClient();
        var html = await http.GetStringAsync("/");

        Assert.That(html, Does.Contain($"s.src=\"{new Uri(_pulse.Address!, "/widget/v1/pulse.js")}\""));
    }
}

/// <summary>VendorApp's page in Chromium, with identity verification required: the survey appears.</summary>
public sealed class VendorAppBrowserTests : BrowserTest
{
    PulseFactory _pulse = null!;
    VendorAppFactory _vendor = null!;
    CreatedWorkspace _workspace = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _pulse = new PulseFactory(time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        _pulse.StartKestrel();
        _workspace = _pulse.CreateWorkspace("Acme HR", ["http://127.0.0.1:*"], requireUserHash: true);
        _vendor = VendorAppFactory.For(_pulse, _workspace);
        _vendor.StartKestrel();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _vendor.Dispose();
        _pulse.Dispose();
    }

    [Test]
    public async Task SignedInUser_SeesTheSurvey_AndLogOutRemovesIt()
    {
        await Page.GotoAsync(new Uri(_vendor.Address!, "/?as=ada").ToString());
        await Page.Locator("pulse-survey legend").WaitForAsync();

        Assert.That(await Page.Locator("#events li").AllTextContentsAsync(), Has.Some.StartsWith("pulse: shown"));
        Assert.That(await Page.TextContentAsync("#pulse-status"), Is.EqualTo("Pulse shows the survey in the corner."));
        await Page.Locator("#logout").ClickAsync();
        Assert.That(await Page.Locator("pulse-survey").CountAsync(), Is.Zero);
        Assert.That(Current.Console.Where(l => l.Contains("[pulse]", StringComparison.Ordinal)), Is.Empty);
        Assert.That(Current.Console.Where(l => l.StartsWith("error", StringComparison.Ordinal)), Is.Empty, "no console errors (no favicon request either)");
    }

    [Test]
    public async Task NoSurvey_ThePageSaysWhyInWords()
    {
        await Page.GotoAsync(new Uri(_vendor.Address!, "/?as=linus").ToString());
        await Page.Locator("#pulse-status:has-text('No survey for now')").WaitForAsync();
        Assert.That(await Page.TextContentAsync("#pulse-status"),
            Is.EqualTo("No survey for now: this user signed up less than 30 days ago, and the first survey waits 30 days after sign-up."));
    }

    [Test]
    public async Task AnsweringAsSomeoneElse_WithoutAUserHash_IsRefusedByPulse()
    {
        await Page.GotoAsync(new Uri(_vendor.Address!, "/?as=linus").ToString());
        await Page.Locator("#pulse-status:has-text('No survey for now')").WaitForAsync();
        await Page.ClickAsync("#forge");
        await Page.Locator("#pulse-status:has-text('Pulse refused')").WaitForAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.TextContentAsync("#pulse-status"), Does.StartWith("Pulse refused the call: 401").And.Contain("userHash"));
            Assert.That(await Page.Locator("pulse-survey").CountAsync(), Is.Zero);
        }
    }
}

/// <summary>The sample's own settings point at the demo workspace that requires userHash, which Development creates.</summary>
public sealed class VendorAppSettingsTests
{
    [Test]
    public void AppSettings_UseTheVerifiedDemoWorkspace()
    {
        var pulse = JsonDocument.Parse(Repository.Read("samples/VendorApp/appsettings.json")).RootElement.GetProperty("Pulse");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pulse.GetProperty("SiteKey").GetString(), Is.EqualTo(DemoWorkspace.Verified.SiteKey));
            Assert.That(pulse.GetProperty("SecretKey").GetString(), Is.EqualTo(DemoWorkspace.Verified.SecretKey));
            Assert.That(pulse.GetProperty("IdentitySecret").GetString(), Is.EqualTo(DemoWorkspace.Verified.IdentitySecret));
            Assert.That(pulse.GetProperty("BaseUrl").GetString(), Is.EqualTo("http://localhost:5080"));
        }
    }

    [Test]
    public async Task InDevelopment_TheVerifiedDemoWorkspaceExists_AndChecksUserHash()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Demo:Enabled"] = "true" }, environment: "Development");
        using var server = app.SecretClient(DemoWorkspace.Verified.SecretKey);
        using var browser = app.BrowserClient("http://localhost:5090");
        var workspace = await (await server.GetAsync("/v1/workspace")).ReadJson<WorkspaceResponse>();
        var unsigned = await browser.PostAsync("/v1/eligibility", Json.Of(new { siteKey = DemoWorkspace.Verified.SiteKey, user = new { id = "usr_1001" } }));
        var signed = await browser.PostAsync("/v1/eligibility", Json.Of(new
        {
            siteKey = DemoWorkspace.Verified.SiteKey,
            user = new { id = "usr_1001" },
            userHash = Keys.UserHash(DemoWorkspace.Verified.IdentitySecret, "usr_1001"),
        }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(workspace.Id, Is.EqualTo(DemoWorkspace.Verified.Id));
            Assert.That(workspace.RequireUserHash, Is.True);
            Assert.That((int)unsigned.StatusCode, Is.EqualTo(401), "without userHash");
            Assert.That((int)signed.StatusCode, Is.EqualTo(200));
        }
    }
}

/// <summary>VendorApp in memory (or on loopback), pointed at Pulse by configuration, with Pulse's clock.</summary>
sealed class VendorAppFactory(Dictionary<string, string?> settings, TimeProvider time) : WebApplicationFactory<VendorUser>
{
    public Uri? Address { get; private set; }

    /// <summary>VendorApp configured with this Pulse's address and the workspace's keys.</summary>
    public static VendorAppFactory For(PulseFactory pulse, CreatedWorkspace workspace) => new(new()
    {
        ["Pulse:BaseUrl"] = pulse.Address!.ToString(),
        ["Pulse:SiteKey"] = workspace.SiteKey,
        ["Pulse:SecretKey"] = workspace.SecretKey,
        ["Pulse:IdentitySecret"] = workspace.IdentitySecret,
    }, pulse.Time);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
        builder.ConfigureServices(services => services.AddSingleton(time));
    }

    public Uri StartKestrel()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!;
        Address = new Uri(addresses.Addresses.First());
        return Address;
    }
}
