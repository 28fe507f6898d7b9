using Dapper;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Tests.Support;
using Pulse.Tests.Webhooks;

namespace Pulse.Tests.Instances;

/// <summary>
/// Two API instances on one PostgreSQL database, both dispatching the webhook outbox to a loopback receiver:
/// each delivery is leased by one instance per attempt (FOR UPDATE SKIP LOCKED), and a lease left by an
/// instance that died is taken over once it expires (docs/decisions.md I1).
/// </summary>
[Category(TestCategories.Process)]
public sealed class OutboxInstancesTests
{
    static readonly Dictionary<string, string?> Settings = new()
    {
        // Both dispatchers look often, so their rounds overlap on the same due rows.
        ["Webhooks:PollInterval"] = "00:00:00.010",
        ["Webhooks:MaxConcurrency"] = "64",
        ["Webhooks:MaxConcurrencyPerEndpoint"] = "32",
    };

    WebhookReceiver _receiver = null!;
    PulseFactory _first = null!;
    PulseFactory _second = null!;
    string _workspace = null!;
    string _hook = null!;

    /// <summary>Two started instances on one new database, and a subscription of one workspace to the receiver.</summary>
    [SetUp]
    public async Task StartAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _first = new PulseFactory(Settings, provider: StorageProvider.Postgres);
        _second = new PulseFactory(Settings, time: _first.Time, sameDatabaseAs: _first);
        _ = _first.Server;
        _ = _second.Server;
        var ws = _first.CreateWorkspace();
        _workspace = ws.WorkspaceId;
        using var http = _first.SecretClient(ws.SecretKey);
        _hook = (await (await http.PostAsync("/v1/webhooks", Json.Of(new { url = _receiver.Url(), events = new[] { "response.created" } })))
            .ReadJson<WebhookResponse>(201)).Id;
    }

    [TearDown]
    public async Task StopAsync()
    {
        _second?.Dispose();
        _first?.Dispose();
        if (_receiver is not null)
            await _receiver.DisposeAsync();
    }

    /// <summary>Events with one delivery each, written in one transaction (due at once); returns their event ids.</summary>
    static async Task<List<string>> EnqueueAsync(PulseFactory app, string workspaceId, string webhookId, int count, string? leaseOwner = null, long? leaseUntil = null)
    {
        var now = app.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var ids = Enumerable.Range(0, count).Select(_ => WebhookOutbox.NewEventId()).ToList();
        await app.Services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) =>
        {
            foreach (var id in ids)
            {
                var delivery = WebhookStore.Enqueue(c, tx, workspaceId, id, "response.created", null, $$"""{"id":"{{id}}"}""", [webhookId], now).Single();
                if (leaseOwner is not null)
                    c.Execute("UPDATE webhook_deliveries SET lease_owner = @Owner, lease_until = @Until WHERE id = @Id",
                        new { Owner = leaseOwner, Until = leaseUntil, Id = delivery }, tx);
            }
        });
        return ids;
    }

    static List<(string EventId, string Status, long Attempts, string? LeaseOwner)> Deliveries(PulseFactory app, string webhookId)
    {
        using var c = app.Db.Open();
        return c.Query<(string, string, long, string?)>(
            "SELECT event_id, status, attempts, lease_owner FROM webhook_deliveries WHERE webhook_id = @W ORDER BY id", new { W = webhookId }).ToList();
    }

    [Test]
    public async Task Webhooks_TwoInstancesDispatchingOneOutbox_SendEachAttemptOnce()
    {
        var events = new List<string>();
        for (var round = 0; round < 4; round++)
        {
            // Each round's batch is written by the other instance; both dispatchers find it due at their next poll.
            events.AddRange(await EnqueueAsync(round % 2 == 0 ? _first : _second, _workspace, _hook, 60));
            await Poll.UntilAsync(() => Deliveries(_first, _hook).All(d => d.Status == "delivered"), "every delivery delivered");
        }

        var received = _receiver.Drain();
        var rows = Deliveries(_first, _hook);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(received.GroupBy(r => r.Id).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "no event sent twice");
            Assert.That(received.Select(r => r.Id), Is.EquivalentTo(events), "every event sent");
            Assert.That(rows.Select(r => r.Attempts), Is.All.EqualTo(1L), "one attempt recorded per delivery");
            Assert.That(rows.Select(r => r.LeaseOwner), Is.All.Null, "the leases are released with the outcome");
        }
    }

    [Test]
    public async Task Webhooks_LeaseOfADeadInstance_IsTakenOverOnceItExpires()
    {
        var leaseUntil = _first.Time.GetUtcNow().AddMinutes(1).ToUnixTimeMilliseconds();

        // An instance claimed this delivery and died before sending it; a free one is queued with it.
        var orphan = (await EnqueueAsync(_first, _workspace, _hook, 1, "dead-instance", leaseUntil)).Single();
        var free = (await EnqueueAsync(_first, _workspace, _hook, 1)).Single();
        Assert.That((await _receiver.NextAsync()).Id, Is.EqualTo(free), "the free delivery is sent");
        await Poll.UntilAsync(() => Deliveries(_first, _hook)[1].Status == "delivered", "the free delivery recorded");
        Assert.That(Deliveries(_first, _hook)[0], Is.EqualTo((orphan, "pending", 0L, (string?)"dead-instance")),
            "the leased delivery waits while its lease lasts");

        _first.Time.Advance(TimeSpan.FromMinutes(1));
        var taken = await _receiver.NextAsync();
        await Poll.UntilAsync(() => Deliveries(_first, _hook)[0].Status == "delivered", "the orphan delivered after its lease expired");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(taken.Id, Is.EqualTo(orphan));
            Assert.That(Deliveries(_first, _hook)[0], Is.EqualTo((orphan, "delivered", 1L, (string?)null)));
            Assert.That(_receiver.Drain(), Is.Empty, "sent once");
        }
    }
}
