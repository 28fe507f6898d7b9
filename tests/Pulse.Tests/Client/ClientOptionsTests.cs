using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pulse.Client;

namespace Pulse.Tests.Client;

/// <summary><c>AddPulse()</c> binds the <c>Pulse</c> section and a bad value stops the host at start-up, naming it.</summary>
public sealed class ClientOptionsTests
{
    static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddPulse();
        return builder.Build();
    }

    [Test]
    public async Task TheSection_IsBound_AndValidValuesStart()
    {
        using var host = Host(new()
        {
            ["Pulse:BaseUrl"] = "https://pulse.example.com/prefix",
            ["Pulse:SiteKey"] = "pk_x",
            ["Pulse:SecretKey"] = "sk_y",
            ["Pulse:IdentitySecret"] = "ids_z",
            ["Pulse:Timeout"] = "00:00:07",
            ["Pulse:MaxRetries"] = "1",
            ["Pulse:MaxRetryAfter"] = "00:00:02",
        });

        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<PulseOptions>>().Value;
        await host.StopAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That((options.BaseUrl, options.SiteKey, options.SecretKey, options.IdentitySecret),
                Is.EqualTo(("https://pulse.example.com/prefix", "pk_x", "sk_y", "ids_z")));
            Assert.That((options.Timeout, options.MaxRetries, options.MaxRetryAfter), Is.EqualTo((TimeSpan.FromSeconds(7), 1, TimeSpan.FromSeconds(2))));
            Assert.That(options.BaseAddress, Is.EqualTo(new Uri("https://pulse.example.com/prefix/")), "a path prefix is kept");
        }
    }

    [TestCase(null, "pk_x", null, "Pulse:BaseUrl is required")]
    [TestCase("pulse.example.com", "pk_x", null, "Pulse:BaseUrl 'pulse.example.com' must be an absolute http(s) URL")]
    [TestCase("ftp://pulse.example.com", "pk_x", null, "must be an absolute http(s) URL")]
    [TestCase("https://pulse.example.com?x=1", "pk_x", null, "without query")]
    [TestCase("https://pulse.example.com", null, null, "Set Pulse:SiteKey")]
    [TestCase("https://pulse.example.com", "sk_oops", null, "Pulse:SiteKey must be the workspace's site key")]
    [TestCase("https://pulse.example.com", null, "pk_oops", "Pulse:SecretKey must be a secret key")]
    public void ABadValue_StopsTheHost_NamingTheSetting(string? baseUrl, string? siteKey, string? secretKey, string message)
    {
        using var host = Host(new() { ["Pulse:BaseUrl"] = baseUrl, ["Pulse:SiteKey"] = siteKey, ["Pulse:SecretKey"] = secretKey });

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync())!;

        Assert.That(error.Message, Does.Contain(message));
    }

    [Test]
    public void LimitsOfTheRetrySettings_AreChecked()
    {
        using var host = Host(new()
        {
            ["Pulse:BaseUrl"] = "https://pulse.example.com",
            ["Pulse:SiteKey"] = "pk_x",
            ["Pulse:Timeout"] = "00:00:00",
            ["Pulse:MaxRetries"] = "11",
        });

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync())!;

        Assert.That(error.Failures, Has.Some.Contains("Pulse:Timeout").And.Some.Contains("Pulse:MaxRetries"));
    }
}
