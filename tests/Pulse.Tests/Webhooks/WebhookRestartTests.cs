using System.Net.Http.Headers;
using System.Text.Json;
using Dapper;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Webhooks;

/// <summary>The API as a real process, killed (SIGKILL) while a delivery is pending, then started again.</summary>
[Category(TestCategories.Process)]
public sealed class WebhookRestartTests
{
    const string Origin = "https://app.acme.test";

    static readonly Dictionary<string, string> Settings = new()
    {
        ["Webhooks:AllowInsecureTargets"] = "true",
        ["Webhooks:PollInterval"] = "00:00:00.050",
        ["Webhooks:RetryBaseDelay"] = "00:00:00.200",
        ["Webhooks:MergeWindow"] = "00:00:00",
    };

    TempDirectory _dir = null!;
    string _db = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _db = _dir.File("pulse.db");
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public async Task KilledMidDelivery_RestartedProcess_StillDeliversTheEvent()
    {
        var ws = await CreateWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var never = new TaskCompletionSource<Microsoft.AspNetCore.Http.IResult>();
        // The first attempt hangs, so the process dies with the delivery in flight and unrecorded.
        receiver.Respond = r => r.Number == 1 ? never.Task : Task.FromResult(Microsoft.AspNetCore.Http.Results.Ok());

        WebhookResponse hook;
        PingQueuedResponse ping;
        using (var first = await ApiProcess.StartAsync(_db, Settings))
        {
            PingQueuedResponse? queued;
            (hook, queued) = await SubscribeAndPingAsync(first, ws, receiver);
            ping = queued!;
            var attempt = await receiver.NextAsync();
            Assert.That(attempt.Id, Is.EqualTo(ping.EventId));
            first.Kill();
        }
        var afterKill = State(ping.DeliveryId);
        Assert.That(afterKill, Is.EqualTo(("pending", 0L)), "the kill left the delivery pending");

        using var second = await ApiProcess.StartAsync(_db, Settings);
        var redelivered = await receiver.NextAsync();
        await Poll.UntilAsync(() => State(ping.DeliveryId).Status == "delivered", "delivered after the restart");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(redelivered.Id, Is.EqualTo(ping.EventId), "same webhook-id: the receiver can deduplicate");
            Assert.That(redelivered.VerifiesWith(hook.Secret!, DateTimeOffset.UtcNow), Is.True);
            Assert.That(redelivered.Json.GetProperty("type").GetString(), Is.EqualTo("ping"));
            Assert.That(State(ping.DeliveryId), Is.EqualTo(("delivered", 1L)));
        }
        never.TrySetCanceled();
    }

    [Test]
    public async Task ResponseKilledWhileWaitingToRetry_RestartedProcess_RetriesAndDelivers()
    {
        var ws = await CreateWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var healthy = false;
        receiver.Respond = _ => Task.FromResult(healthy ? Microsoft.AspNetCore.Http.Results.Ok() : Microsoft.AspNetCore.Http.Results.StatusCode(503));

        WebhookResponse hook;
        long responseId;
        using (var first = await ApiProcess.StartAsync(_db, Settings))
        {
            (hook, _) = await SubscribeAndPingAsync(first, ws, receiver, ping: false);
            using var browser = new HttpClient { BaseAddress = first.Address };
            browser.DefaultRequestHeaders.Add("Origin", Origin);
            responseId = (await (await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = ShowSurvey(ws, "u-kill"), score = 2 })))
                .ReadJson<SavedResponse>(201)).Id;
            await receiver.NextAsync();
            await Poll.UntilAsync(() => Delivery(hook.Id).Attempts >= 1, "the failed attempt recorded");
            first.Kill();
        }
        healthy = true;
        receiver.Drain();
        var before = Delivery(hook.Id);

        using var second = await ApiProcess.StartAsync(_db, Settings);
        var got = await receiver.NextAsync();
        await Poll.UntilAsync(() => Delivery(hook.Id).Status == "delivered", "delivered after the restart");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before.Status, Is.EqualTo("pending"));
            Assert.That(got.Json.GetProperty("type").GetString(), Is.EqualTo("response.created"));
            Assert.That(got.Json.GetProperty("data").GetProperty("response").GetProperty("id").GetInt64(), Is.EqualTo(responseId));
            Assert.That(got.VerifiesWith(hook.Secret!, DateTimeOffset.UtcNow), Is.True);
            Assert.That(Delivery(hook.Id).Attempts, Is.EqualTo(before.Attempts + 1));
        }
    }

    /// <summary>A display written straight into the file, as eligibility would; returns its token.</summary>
    string ShowSurvey(CreatedWorkspace ws, string userId)
    {
        using var c = OpenDb();
        using var tx = c.BeginTransaction(deferred: false);
        var token = TestData.CreateDisplay(c, tx, ws.WorkspaceId, userId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Token;
        tx.Commit();
        return token;
    }

    Microsoft.Data.Sqlite.SqliteConnection OpenDb() => (Microsoft.Data.Sqlite.SqliteConnection)new Db($"Data Source={_db}", _dir.Path).Open();

    (string Status, long Attempts) Delivery(string webhookId)
    {
        using var c = OpenDb();
        return c.QuerySingle<(string, long)>("SELECT status, attempts FROM webhook_deliveries WHERE webhook_id = @webhookId", new { webhookId });
    }

    async Task<CreatedWorkspace> CreateWorkspaceAsync()
    {
        var (code, output, err) = await ApiProcess.RunCliAsync(_db, "workspaces", "create", "--name", "Acme", "--origin", Origin, "--json");
        Assert.That(code, Is.Zero, err);
        return JsonSerializer.Deserialize<CreatedWorkspace>(output, Json.Options)!;
    }

    /// <summary>Subscribes the receiver through the API process and queues a ping to it.</summary>
    static async Task<(WebhookResponse Hook, PingQueuedResponse? Ping)> SubscribeAndPingAsync(ApiProcess api, CreatedWorkspace ws,
        WebhookReceiver receiver, bool ping = true)
    {
        using var http = new HttpClient { BaseAddress = api.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ws.SecretKey);
        var hook = await (await http.PostAsync("/v1/webhooks", Json.Of(new { url = receiver.Url(), events = new[] { "response.created" } })))
            .ReadJson<WebhookResponse>(201);
        if (!ping)
            return (hook, null);
        return (hook, await (await http.PostAsync($"/v1/webhooks/{hook.Id}/test", null)).ReadJson<PingQueuedResponse>(202));
    }

    (string Status, long Attempts) State(long deliveryId)
    {
        using var c = OpenDb();
        return c.QuerySingle<(string, long)>("SELECT status, attempts FROM webhook_deliveries WHERE id = @deliveryId", new { deliveryId });
    }
}
