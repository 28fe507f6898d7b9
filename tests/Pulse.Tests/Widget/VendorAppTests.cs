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
        _vendor = new VendorAppFactory(new()
        {
            ["Pulse:Url"] = _pulse.Address!.ToString(),
            ["Pulse:SiteKey"] = _workspace.SiteKey,
            ["Pulse:SecretKey"] = _workspace.SecretKey,
            ["Pulse:IdentitySecret"] = _workspace.IdentitySecret,
        }, _pulse.Time);
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
    public async Task Page_LoadsTheWidgetFromTheConfiguredPulse()
    {
        using var http = _vendor.CreateClient();
        var html = await http.GetStringAsync("/");

        Assert.That(html, Does.Contain($"s.src=\"{new Uri(_pulse.Address!, "/widget/v1/pulse.js")}\""));
    }

    /// <summary>VendorApp in memory, pointed at Pulse by configuration, with Pulse's clock.</summary>
    sealed class VendorAppFactory(Dictionary<string, string?> settings, TimeProvider time) : WebApplicationFactory<PulseClient>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
            builder.ConfigureServices(services => services.AddSingleton(time));
        }
    }
}
