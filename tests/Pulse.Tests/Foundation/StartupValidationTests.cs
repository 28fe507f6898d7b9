using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>
/// Settings that must hold to serve stop the start with their reason, even when whoever holds the
/// host is slower than the app's own thread (docs/decisions.md F13): <c>Run</c> disposes a host whose
/// start failed, and the test host then saw <c>ObjectDisposedException</c> instead of the reason.
/// </summary>
public sealed class StartupValidationTests
{
    /// <summary>The API with <paramref name="settings"/>, started only after the app's thread has had time to run ahead.</summary>
    sealed class LateStarter(string databasePath, string environment, IDictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(environment);
            var all = new Dictionary<string, string?>(settings)
            {
                ["ConnectionStrings:Pulse"] = $"Data Source={databasePath}",
                ["Operations:ManagementUrl"] = "",
            };
            foreach (var (key, value) in all)
                builder.UseSetting(key, value);
            builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(all));
        }

        protected override IHost CreateHost(IHostBuilder builder)
        {
            var host = builder.Build();
            // Program goes on past Build on its own thread: give it the time to reach app.Run first.
            Thread.Sleep(TimeSpan.FromSeconds(1.5));
            host.Start();
            return host;
        }
    }

    [TestCase("Demo:Enabled", "true", "Staging", "Demo:Enabled=true is allowed only in the Development environment")]
    [TestCase("RateLimiting:PerSiteKeyPerSecond", "-5", "Testing", "PerSiteKeyPerSecond")]
    public void AnInvalidSetting_StopsTheStart_WithItsReason_WhateverTheTiming(string key, string value, string environment, string reason)
    {
        using var directory = new TempDirectory();
        using var app = new LateStarter(directory.File("pulse.db"), environment, new Dictionary<string, string?> { [key] = value });
        Assert.That(() => app.Server, Throws.Exception.With.Message.Contains(reason));
    }
}
