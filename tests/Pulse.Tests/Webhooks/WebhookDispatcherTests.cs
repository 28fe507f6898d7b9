using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.AspNetCore.Http;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Webhooks;

/// <summary>
/// The dispatcher with a 10-minute poll: anything that arrives here was sent because the write
/// woke the dispatcher. Also the attempt timeout and the outcome metrics.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class WebhookDispatcherTests(StorageProvider provider)
{
    PulseFactory _app = null!;
    MeterListener _listener = null!;
    readonly Dictionary<string, long> _outcomes = [];

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(new Dictionary<string, string?>
        {
            ["Webhooks:PollInterval"] = "00:10:00",
            ["Webhooks:Timeout"] = "00:00:00.300",
        }, provider: provider);
        _ = _app.Server;
        var meter = _app.Services.GetRequiredService<PulseMetrics>().Meter;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter && instrument.Name == "pulse.webhooks.deliveries")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    lock (_outcomes)
                        _outcomes[(string)tag.Value!] = _outcomes.GetValueOrDefault((string)tag.Value!) + value;
                }
            }
        });
        _listener.Start();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _listener.Dispose();
        _app.Dispose();
    }

    long Outcomes(string name)
    {
        lock (_outcomes)
            return _outcomes.GetValueOrDefault(name);
    }

    (string Status, long Attempts, string? LastError) State(string webhookId)
    {
        using var c = _app.Db.Open();
        return c.QuerySingle<(string, long, string?)>(
            "SELECT status, attempts, last_error FROM webhook_deliveries WHERE webhook_id = @webhookId", new { webhookId });
    }

    async Task<WebhookResponse> Subscribe(HttpClient http, string url) =>
        await (await http.PostAsync("/v1/webhooks", Json.Of(new { url, events = new[] { "response.created" } }))).ReadJson<WebhookResponse>(201);

    [Test]
    public async Task NewResponse_WakesTheDispatcher_DeliveredWithoutWaitingForThePoll()
    {
        var ws = _app.CreateWorkspace();
        using var http = _app.SecretClient(ws.SecretKey);
        await using var receiver = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url());
        var delivered = Outcomes("delivered");

        await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, RespondentFaker.Create(21).Generate(), 8);
        var got = await receiver.NextAsync();
        await Poll.UntilAsync(() => State(hook.Id).Status == "delivered", "delivered recorded");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(got.VerifiesWith(hook.Secret!, _app.Time.GetUtcNow()), Is.True);
            Assert.That(Outcomes("delivered"), Is.EqualTo(delivered + 1));
        }
    }

    [Test]
    public async Task HangingReceiver_AttemptTimesOutAndIsRetriedLater()
    {
        var ws = _app.CreateWorkspace();
        using var http = _app.SecretClient(ws.SecretKey);
        await using var receiver = await WebhookReceiver.StartAsync();
        var hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Respond = async _ =>
        {
            await hang.Task;
            return Results.Ok();
        };
        var hook = await Subscribe(http, receiver.Url());
        var retried = Outcomes("retried");

        await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, RespondentFaker.Create(22).Generate(), 1);
        await receiver.NextAsync();
        await Poll.UntilAsync(() => State(hook.Id).Attempts == 1, "the timed-out attempt recorded");
        // The outcome is counted once the writer has committed the attempt, a moment after the row shows it.
        await Poll.UntilAsync(() => Outcomes("retried") > retried, "the retried outcome counted");
        hang.SetResult();

        var state = State(hook.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo("pending"));
            Assert.That(state.LastError, Does.Contain("Timed out after 0.3 s"));
            Assert.That(Outcomes("retried"), Is.EqualTo(retried + 1));
        }
    }
}
