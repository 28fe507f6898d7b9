using Microsoft.Extensions.Hosting;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>
/// Hosted services start in the order they are registered and stop in reverse, so the order of the
/// <c>Add*</c> lines in Program.cs is part of the design (docs/architecture.md, "Start-up"): the
/// migrations run before the writer starts, the demo workspace is seeded after both, and the
/// webhook dispatcher starts after the writer and stops before it.
/// </summary>
public sealed class StartupOrderTests
{
    [Test]
    public void HostedServices_StartInTheOrderTheDesignNeeds()
    {
        using var app = new PulseFactory();
        var order = app.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();
        var migrations = order.IndexOf("MigrationService");
        var writer = order.IndexOf(nameof(WriteQueue));
        var demo = order.IndexOf("DemoWorkspaceSeeder");
        var webhooks = order.IndexOf(nameof(WebhookDispatcher));
        Assert.That(new[] { migrations, writer, demo, webhooks }, Is.All.GreaterThanOrEqualTo(0), string.Join(", ", order));
        Assert.That(new[] { migrations, writer, demo, webhooks }, Is.Ordered, string.Join(", ", order));
    }
}
