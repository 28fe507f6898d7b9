using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Tests.Eligibility;
using Pulse.Tests.Support;

namespace Pulse.Tests.Durability;

/// <summary>Pulse's meters leave the process: a Prometheus scrape on the management listener, and OTLP when configured.</summary>
public sealed class TelemetryTests
{
    [Test]
    public async Task PrometheusScrape_OnTheManagementListener_HasPulseCounters_AfterTraffic()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Operations:ManagementUrl"] = "http://127.0.0.1:0" });
        app.StartKestrel();
        var ws = app.CreateWorkspace();
        using (var http = app.SecretClient(ws.SecretKey))
            for (var i = 0; i < 3; i++)
                await http.CheckUser(EligibilityCalls.User($"u{i}", app.Time.GetUtcNow(), signedUpDaysAgo: 1));
        using var management = new HttpClient { BaseAddress = app.Services.GetRequiredService<ManagementServer>().Address };

        var scrape = await management.GetAsync("/metrics");
        var text = await scrape.Content.ReadAsStringAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(scrape.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            Assert.That(text, Does.Match(@"pulse_eligibility_decisions\w*\{[^}]*reason=""too_new""[^}]*\} 3(\s|$)"), text);
            Assert.That(text, Does.Contain("pulse_write_queue_depth"));
            Assert.That((await new HttpClient { BaseAddress = app.Address }.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound),
                "metrics are not published on the public listener");
        }
    }

    [Test]
    public async Task Otlp_WhenAnEndpointIsConfigured_ReceivesPulseMetrics()
    {
        var received = new ConcurrentQueue<byte[]>();
        await using var collector = await Collector(received);
        using var app = new PulseFactory(new Dictionary<string, string?>
        {
            ["OpenTelemetry:Endpoint"] = collector.Urls.First(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });
        var ws = app.CreateWorkspace();
        using (var http = app.SecretClient(ws.SecretKey))
            await http.CheckUser(EligibilityCalls.User("u1", app.Time.GetUtcNow(), signedUpDaysAgo: 1));

        var deadline = Stopwatch.StartNew();
        while (!received.Any(Mentions) && deadline.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(100);

        Assert.That(received.Any(Mentions), Is.True, $"{received.Count} OTLP exports arrived, none with pulse.eligibility.decisions");
    }

    static bool Mentions(byte[] body) => Encoding.UTF8.GetString(body).Contains("pulse.eligibility.decisions", StringComparison.Ordinal);

    /// <summary>An OTLP/HTTP receiver on loopback that keeps the bodies posted to /v1/metrics.</summary>
    static async Task<WebApplication> Collector(ConcurrentQueue<byte[]> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var collector = builder.Build();
        collector.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            received.Enqueue(body.ToArray());
            return Results.Ok();
        });
        await collector.StartAsync();
        return collector;
    }
}
