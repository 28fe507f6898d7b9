using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Pulse.Api.Operations;
using Pulse.Tests.Support;

namespace Pulse.Tests.Durability;

/// <summary>
/// Health has a listener of its own (<c>Operations:ManagementUrl</c>) and the public listener
/// bounds its work: probes are answered while thousands of connections are open on the public
/// port and every request slot is taken, and a request beyond the slots is a 503 with
/// Retry-After instead of joining a queue. Real sockets on loopback.
/// </summary>
public sealed class ManagementListenerTests
{
    const int Slots = 4;
    const int OpenConnections = 2000;

    static PulseFactory Start(int maxConnections = 10_000, int slots = 256, int queue = 256)
    {
        var app = new PulseFactory(new Dictionary<string, string?>
        {
            ["Operations:ManagementUrl"] = "http://127.0.0.1:0",
            ["Operations:MaxConnections"] = $"{maxConnections}",
            ["Operations:MaxConcurrentRequests"] = $"{slots}",
            ["Operations:RequestQueueLimit"] = $"{queue}",
        });
        app.StartKestrel();
        return app;
    }

    static Uri Management(PulseFactory app) => app.Services.GetRequiredService<ManagementServer>().Address!;

    [Test]
    public async Task ManagementListener_ServesHealthAndReadiness_AndThePublicListenerNoLonger()
    {
        using var app = Start();
        using var management = new HttpClient { BaseAddress = Management(app) };
        using var pub = new HttpClient { BaseAddress = app.Address };

        var health = await management.GetAsync("/healthz");
        var ready = await (await management.GetAsync("/readyz")).ReadJson<JsonElement>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Management(app).Port, Is.Not.EqualTo(app.Address!.Port));
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.GetProperty("schemaVersion").GetInt32(), Is.EqualTo(Pulse.Api.Storage.Migrator.LatestVersion));
            Assert.That((await pub.GetAsync("/healthz")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await pub.GetAsync("/readyz")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await management.GetAsync("/v1/workspace")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound),
                "the management listener serves operations only");
        }
    }

    [Test]
    public async Task Health_IsAnswered_WithThousandsOfConnectionsOpen_AndEveryRequestSlotTaken_WhileMoreRequestsGet503()
    {
        using var app = Start(maxConnections: OpenConnections, slots: Slots, queue: 0);
        var address = app.Address!;
        var ws = app.CreateWorkspace(requireUserHash: false);
        var tokens = Enumerable.Range(0, Slots).Select(i => app.CreateDisplay(ws.WorkspaceId, $"u{i}").Token).ToList();
        var sockets = new List<Socket>();
        using var writerHeld = new ManualResetEventSlim();
        var blocker = app.Services.GetRequiredService<Pulse.Api.Storage.WriteQueue>().ExecuteAsync((_, _) => writerHeld.Wait());
        using var answering = new HttpClient { BaseAddress = address };
        var held = new List<Task<HttpResponseMessage>>();
        try
        {
            // Every slot is held by an answer waiting for the (held) writer.
            held.AddRange(tokens.Select(t => answering.PostAsync("/v1/responses", Json.Of(new { displayToken = t, score = 8 }))));
            using var pub = new HttpClient { BaseAddress = address };
            var refused = await WaitForRefusal(pub);
            var problem = await refused.AssertProblem(503);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
                Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Overloaded"));
            }

            // Fill the public listener up to its connection limit with idle connections.
            for (var batch = Slots + 2; batch < OpenConnections; batch += 100)
                sockets.AddRange(await Task.WhenAll(Enumerable.Range(0, Math.Min(100, OpenConnections - batch)).Select(_ => Connect(address))));
            Assert.That(sockets, Has.Count.GreaterThan(1900), "thousands of connections are open");

            using var management = new HttpClient { BaseAddress = Management(app) };
            using (Assert.EnterMultipleScope())
            {
                Assert.That((await management.GetAsync("/healthz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That((await management.GetAsync("/readyz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(await ServedOnNewConnection(address), Is.False, "a connection past Operations:MaxConnections is not served");
            }
        }
        finally
        {
            foreach (var socket in sockets)
                socket.Dispose();
            writerHeld.Set();
        }
        await blocker;
        foreach (var answer in held)
            Assert.That((await answer).StatusCode, Is.EqualTo(HttpStatusCode.Created), "the answers that held the slots are saved");

        // Once the load is gone the public listener serves again.
        var deadline = Stopwatch.StartNew();
        while (!await ServedOnNewConnection(address) && deadline.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(100);
        Assert.That(await ServedOnNewConnection(address), Is.True);
    }

    static async Task<Socket> Connect(Uri address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, address.Port);
        return socket;
    }

    /// <summary>Polls until the held requests have reached the gate and a new one is refused.</summary>
    static async Task<HttpResponseMessage> WaitForRefusal(HttpClient http)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var response = await http.GetAsync("/widget/v1/manifest.json");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable || deadline.Elapsed > TimeSpan.FromSeconds(30))
                return response;
            await Task.Delay(50);
        }
    }

    /// <summary>Whether a request on a fresh connection to the public listener gets any answer.</summary>
    static async Task<bool> ServedOnNewConnection(Uri address)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await http.GetAsync("/widget/v1/manifest.json");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
