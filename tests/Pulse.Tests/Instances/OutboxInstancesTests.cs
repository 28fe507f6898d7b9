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

    static async Task<string> SubscribeAsync(PulseFactory app, string secretKey, WebhookReceiver receiver)
    {
        using var http = app.SecretClient(secretKey);
        var hook = await (await http.PostAsync("/v1/webhooks", Json.Of(new { url = receiver.Url(), events = new[] { "response.created" } })))
            .ReadJson<WebhookResponse>(201);
        return hook.Id;
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
        await using var receiver = await WebhookReceiver.StartAsync();
        using var first = new PulseFactory(Settings, provider: StorageProvider.Postgres);
        using var second = new PulseFactory(Settings, time: first.Time, sameDatabaseAs: first);
        _ = first.Server;
        _ = second.Server;
        var ws = first.CreateWorkspace();
        var hook = await SubscribeAsync(first, ws.SecretKey, receiver);

        var events = new List<string>();
        for (var round = 0; round < 4; round++)
        {
            // Each round's batch is written by the other instance; both dispatchers find it due at their next poll.
            events.AddRange(await EnqueueAsync(round % 2 == 0 ? first : second, ws.WorkspaceId, hook, 60));
            await Poll.UntilAsync(() => Deliveries(first, hook).All(d => d.Status == "delivered"), "every delivery delivered");
        }

        var received = receiver.Drain();
        var rows = Deliveries(first, hook);
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
        await using var receiver = await WebhookReceiver.StartAsync();
        using var first = new PulseFactory(Settings, provider: StorageProvider.Postgres);
        using var second = new PulseFactory(Settings, time: first.Time, sameDatabaseAs: first);
        _ = first.Server;
        _ = second.Server;
        var ws = first.CreateWorkspace();
        var hook = await SubscribeAsync(first, ws.SecretKey, receiver);
        var leaseUntil = first.Time.GetUtcNow().AddMinutes(1).ToUnixTimeMilliseconds();

        // An instance claimed this delivery and died before sending it; a free one is queued with it.
        var orphan = (await EnqueueAsync(first, ws.WorkspaceId, hook, 1, "dead-instance", leaseUntil)).Single();
        var free = (await EnqueueAsync(first, ws.WorkspaceId, hook, 1)).Single();
        Assert.That((await receiver.NextAsync()).Id, Is.EqualTo(free), "the free delivery is sent");
        await Poll.UntilAsync(() => Deliveries(first, hook)[1].Status == "delivered", "the free delivery recorded");
        Assert.That(Deliveries(first, hook)[0], Is.EqualTo((orphan, "pending", 0L, (string?)"dead-instance")),
            "the leased delivery waits while its lease lasts");

        first.Time.Advance(TimeSpan.FromMinutes(1));
        var taken = await receiver.NextAsync();
        await Poll.UntilAsync(() => Deliveries(first, hook)[0].Status == "delivered", "the orphan delivered after its lease expired");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(taken.Id, Is.EqualTo(orphan));
            Assert.That(Deliveries(first, hook)[0], Is.EqualTo((orphan, "delivered", 1L, (string?)null)));
            Assert.That(receiver.Drain(), Is.Empty, "sent once");
        }
    }
}
