using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Webhooks;

/// <summary>
/// Events from the outbox to a real receiver (Kestrel on 127.0.0.1) that checks every signature
/// with its own implementation of the spec. Time moves with <see cref="PulseFactory.Time"/>.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class WebhookDeliveryTests(StorageProvider provider)
{
    PulseFactory _app = null!;
    readonly Faker _people = new(11);

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(new Dictionary<string, string?> { ["Webhooks:PollInterval"] = "00:00:00.020" }, provider: provider);
        _ = _app.Server;
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    sealed class Faker(int seed)
    {
        readonly Bogus.Faker<Respondent> _faker = RespondentFaker.Create(seed);

        public Respondent Next() => _faker.Generate();
    }

    /// <summary>A workspace of its own per test, so tests sharing the app never see each other's events.</summary>
    (CreatedWorkspace Workspace, HttpClient Http) NewWorkspace()
    {
        var ws = _app.CreateWorkspace("Acme " + Guid.NewGuid().ToString("n")[..6]);
        return (ws, _app.SecretClient(ws.SecretKey));
    }

    static async Task<WebhookResponse> Subscribe(HttpClient http, string url, string[]? events = null, string[]? categories = null,
        string format = "json", string? surveyId = null) =>
        await (await http.PostAsync("/v1/webhooks", Json.Of(new
        {
            url,
            events = events ?? ["response.created", "response.updated", "decline.created"],
            categories,
            format,
            surveyId,
        }))).ReadJson<WebhookResponse>(201);

    sealed record DeliveryState(long Id, string Status, long Attempts, long? NextAttemptAt, long? LastAttemptAt, long? LastStatus, string? LastError);

    IReadOnlyList<DeliveryState> Deliveries(string webhookId)
    {
        using var c = _app.Db.Open();
        return c.Query<DeliveryState>("""
            SELECT id AS Id, status AS Status, attempts AS Attempts, next_attempt_at AS NextAttemptAt, last_attempt_at AS LastAttemptAt,
                   last_status AS LastStatus, last_error AS LastError
            FROM webhook_deliveries WHERE webhook_id = @webhookId ORDER BY id
            """, new { webhookId }).ToList();
    }

    DeliveryState Only(string webhookId) => Deliveries(webhookId).Single();

    Task UntilAttempts(string webhookId, long attempts) =>
        Poll.UntilAsync(() => Deliveries(webhookId) is [var d] && d.Attempts >= attempts, $"attempt {attempts} of {webhookId} recorded");

    Task UntilDelivered(string webhookId, int count = 1) =>
        Poll.UntilAsync(() => Deliveries(webhookId).Count(d => d.Status == "delivered") == count,
            $"{count} deliveries to {webhookId}: " + string.Join("; ", Deliveries(webhookId)));

    static Func<ReceivedWebhook, Task<IResult>> Status(Func<int, int> byNumber) =>
        r => Task.FromResult(Results.StatusCode(byNumber(r.Number)));

    [Test]
    public async Task ResponseCreated_ArrivesSignedWithTheWholeResponse()
    {
        var (ws, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url());
        var jane = _people.Next();

        var saved = await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, jane, 3, "Too slow to search candidates");
        var got = await receiver.NextAsync();

        var json = got.Json;
        var data = json.GetProperty("data");
        var response = data.GetProperty("response");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(got.VerifiesWith(hook.Secret!, _app.Time.GetUtcNow()), Is.True, "signature");
            Assert.That(got.VerifiesWith(WebhookSignature.NewSecret(), _app.Time.GetUtcNow()), Is.False, "a wrong secret fails");
            Assert.That(got.Timestamp, Is.EqualTo(_app.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(got.Id, Does.StartWith("evt_"));
            Assert.That(got.ContentType, Does.StartWith("application/json"));
            Assert.That(got.Path, Is.EqualTo("/hook"));
            Assert.That(json.GetProperty("id").GetString(), Is.EqualTo(got.Id));
            Assert.That(json.GetProperty("type").GetString(), Is.EqualTo("response.created"));
            Assert.That(json.GetProperty("timestamp").GetDateTimeOffset(), Is.EqualTo(_app.Time.GetUtcNow()));
            Assert.That(data.GetProperty("survey").GetProperty("id").GetString(), Is.EqualTo(saved.Display.SurveyId));
            Assert.That(data.GetProperty("survey").GetProperty("name").GetString(), Is.EqualTo("Relationship NPS"));
            Assert.That(response.GetProperty("id").GetInt64(), Is.EqualTo(saved.ResponseId));
            Assert.That(response.GetProperty("score").GetInt32(), Is.EqualTo(3));
            Assert.That(response.GetProperty("category").GetString(), Is.EqualTo("detractor"));
            Assert.That(response.GetProperty("comment").GetString(), Is.EqualTo("Too slow to search candidates"));
            Assert.That(response.GetProperty("userId").GetString(), Is.EqualTo(jane.UserId));
            Assert.That(response.GetProperty("email").GetString(), Is.EqualTo(jane.Email));
            Assert.That(response.GetProperty("traits").GetProperty("plan").GetString(), Is.EqualTo(jane.Plan));
            Assert.That(response.GetProperty("traits").GetProperty("arr").GetInt32(), Is.EqualTo(jane.Arr));
            Assert.That(response.GetProperty("url").GetString(), Is.EqualTo("https://app.acme.test/jobs"));
            Assert.That(response.GetProperty("locale").GetString(), Is.EqualTo("en"));
            Assert.That(response.GetProperty("createdAt").GetDateTimeOffset(), Is.EqualTo(_app.Time.GetUtcNow()));
        }

        await UntilDelivered(hook.Id);
        var page = await (await http.GetAsync($"/v1/webhooks/{hook.Id}/deliveries")).ReadJson<DeliveryPage>();
        var item = page.Items.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(item.Status, Is.EqualTo("delivered"));
            Assert.That(item.Attempts, Is.EqualTo(1));
            Assert.That(item.LastStatus, Is.EqualTo(204));
            Assert.That(item.LastError, Is.Null);
            Assert.That(item.NextAttemptAt, Is.Null);
            Assert.That(item.EventId, Is.EqualTo(got.Id));
            Assert.That(item.EventType, Is.EqualTo("response.created"));
            Assert.That(item.DeliveredAt, Is.EqualTo(_app.Time.GetUtcNow()));
            Assert.That(page.NextCursor, Is.Null);
        }
    }

    [Test]
    public async Task FailingReceiver_FirstThreeAttemptsFail_TheFourthDeliversAfterBackoff()
    {
        var (ws, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = Status(n => n <= 3 ? 500 : 200);
        var hook = await Subscribe(http, receiver.Url());
        await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, _people.Next(), 6);

        var seen = new List<ReceivedWebhook>();
        var waits = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            seen.Add(await receiver.NextAsync());
            await UntilAttempts(hook.Id, attempt);
            var state = Only(hook.Id);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(state.Status, Is.EqualTo("pending"));
                Assert.That(state.LastStatus, Is.EqualTo(500));
                Assert.That(state.LastError, Does.Contain("500"));
                Assert.That(state.NextAttemptAt, Is.GreaterThan(state.LastAttemptAt!.Value));
            }
            waits.Add(TimeSpan.FromMilliseconds(state.NextAttemptAt!.Value - state.LastAttemptAt!.Value));
            // Not due yet: nothing more arrives until the clock reaches the next attempt.
            Assert.That(receiver.Count, Is.EqualTo(attempt));
            _app.Time.AdjustTime(DateTimeOffset.FromUnixTimeMilliseconds(state.NextAttemptAt.Value));
        }
        seen.Add(await receiver.NextAsync());
        await UntilDelivered(hook.Id);

        var final = Only(hook.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(final.Attempts, Is.EqualTo(4));
            Assert.That(final.LastStatus, Is.EqualTo(200));
            Assert.That(seen.Select(s => s.Id).Distinct().Count(), Is.EqualTo(1), "the same webhook-id on every attempt");
            Assert.That(seen[3].VerifiesWith(hook.Secret!, _app.Time.GetUtcNow()), Is.True);
            Assert.That(seen.Select(s => s.Timestamp).Distinct().Count(), Is.EqualTo(4), "each attempt is signed afresh");
            for (var i = 0; i < waits.Count; i++)
            {
                var nominal = TimeSpan.FromSeconds(90 * Math.Pow(2, i));
                Assert.That(waits[i], Is.InRange(nominal * 0.8, nominal * 1.2), $"wait after failure {i + 1}");
            }
        }
    }

    [Test]
    public async Task DetractorOnlySubscription_ReceivesDetractorsOnly()
    {
        var (ws, http) = NewWorkspace();
        await using var everything = await WebhookReceiver.StartAsync();
        await using var detractors = await WebhookReceiver.StartAsync();
        var all = await Subscribe(http, everything.Url());
        var poor = await Subscribe(http, detractors.Url(), categories: ["detractor"]);

        foreach (var score in new[] { 10, 8, 2, 9 })
            await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, _people.Next(), score);
        await UntilDelivered(all.Id, 4);
        await UntilDelivered(poor.Id, 1);

        var toAll = everything.Drain().Select(r => r.Json.GetProperty("data").GetProperty("response").GetProperty("score").GetInt32());
        var toPoor = detractors.Drain();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(toAll, Is.EquivalentTo(new[] { 10, 8, 2, 9 }));
            Assert.That(toPoor, Has.Count.EqualTo(1));
            Assert.That(toPoor[0].Json.GetProperty("data").GetProperty("response").GetProperty("category").GetString(), Is.EqualTo("detractor"));
            Assert.That(toPoor[0].VerifiesWith(poor.Secret!, _app.Time.GetUtcNow()), Is.True);
            Assert.That(Deliveries(poor.Id), Has.Count.EqualTo(1), "no outbox rows for the others");
        }
    }

    [Test]
    public async Task KindCategories_RouteEachKindsUnhappyAnswers()
    {
        var (ws, http) = NewWorkspace();
        await using var csatOnly = await WebhookReceiver.StartAsync();
        await using var unhappy = await WebhookReceiver.StartAsync();
        var nps = Outbox.DefaultSurveyId(_app, ws.WorkspaceId);
        var csat = Outbox.AddSurvey(_app, ws.WorkspaceId, "Support CSAT", "csat");
        var dissatisfied = await Subscribe(http, csatOnly.Url(), categories: ["dissatisfied"], surveyId: csat);
        var everyKind = await Subscribe(http, unhappy.Url(), categories: ["detractor", "dissatisfied", "difficult"]);

        foreach (var score in new[] { 5, 2, 3, 1 })
            await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, _people.Next(), score, surveyId: csat);
        foreach (var score in new[] { 3, 9 })
            await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, _people.Next(), score, surveyId: nps);
        await UntilDelivered(dissatisfied.Id, 2);
        await UntilDelivered(everyKind.Id, 3);

        static (int, string?) Answer(JsonElement json) => (json.GetProperty("data").GetProperty("response").GetProperty("score").GetInt32(),
            json.GetProperty("data").GetProperty("response").GetProperty("category").GetString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(csatOnly.Drain().Select(r => Answer(r.Json)), Is.EquivalentTo(new[] { (2, "dissatisfied"), (1, "dissatisfied") }));
            Assert.That(unhappy.Drain().Select(r => Answer(r.Json)), Is.EquivalentTo(new[] { (2, "dissatisfied"), (1, "dissatisfied"), (3, "detractor") }));
            Assert.That(Deliveries(dissatisfied.Id), Has.Count.EqualTo(2), "no outbox rows for the satisfied and neutral answers");
        }
    }

    [Test]
    public async Task SurveyFilter_OnlyThatSurveysEventsAreQueued()
    {
        var (ws, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        var relationship = Outbox.DefaultSurveyId(_app, ws.WorkspaceId);
        var onboarding = Outbox.AddSurvey(_app, ws.WorkspaceId, "Onboarding");
        var hook = await Subscribe(http, receiver.Url(), surveyId: onboarding);

        await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, _people.Next(), 1, surveyId: relationship);
        await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, _people.Next(), 2, surveyId: onboarding);
        var got = await receiver.NextAsync();
        await UntilDelivered(hook.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(got.Json.GetProperty("data").GetProperty("survey").GetProperty("name").GetString(), Is.EqualTo("Onboarding"));
            Assert.That(Deliveries(hook.Id), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task UpdateAndDecline_SendTheirEventsToSubscribersOfThem()
    {
        var (ws, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var createdOnly = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url());
        var narrow = await Subscribe(http, createdOnly.Url(), events: ["response.created"]);
        var bob = _people.Next();

        var first = await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, bob, 9);
        await Outbox.UpdateResponseAsync(_app, first, 4, "Actually the reports are broken");
        await Outbox.SaveDeclineAsync(_app, ws.WorkspaceId, _people.Next());
        await UntilDelivered(hook.Id, 3);
        await UntilDelivered(narrow.Id, 1);

        var got = receiver.Drain().ToDictionary(r => r.Json.GetProperty("type").GetString()!);
        var updated = got["response.updated"].Json.GetProperty("data").GetProperty("response");
        var decline = got["decline.created"].Json.GetProperty("data").GetProperty("decline");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(got.Keys, Is.EquivalentTo(new[] { "response.created", "response.updated", "decline.created" }));
            Assert.That(got.Values.All(r => r.VerifiesWith(hook.Secret!, _app.Time.GetUtcNow())), Is.True);
            Assert.That(updated.GetProperty("id").GetInt64(), Is.EqualTo(first.ResponseId));
            Assert.That(updated.GetProperty("score").GetInt32(), Is.EqualTo(4));
            Assert.That(updated.GetProperty("previousScore").GetInt32(), Is.EqualTo(9));
            Assert.That(updated.GetProperty("previousCategory").GetString(), Is.EqualTo("promoter"));
            Assert.That(decline.GetProperty("userId").GetString(), Is.Not.EqualTo(bob.UserId));
            Assert.That(decline.GetProperty("declinedAt").GetDateTimeOffset(), Is.EqualTo(_app.Time.GetUtcNow()));
            Assert.That(Deliveries(narrow.Id), Has.Count.EqualTo(1));
            Assert.That(createdOnly.Drain().Single().Json.GetProperty("type").GetString(), Is.EqualTo("response.created"));
        }
    }

    [TestCase(301)]
    [TestCase(302)]
    [TestCase(307)]
    [TestCase(308)]
    public async Task RedirectingReceiver_IsAFailedAttemptAndTheRedirectIsNotFollowed(int status)
    {
        var (ws, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = r => Task.FromResult<IResult>(r.Path == "/hook"
            ? new RedirectTo(status, "/elsewhere")
            : Results.Ok());
        var hook = await Subscribe(http, receiver.Url());

        await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, _people.Next(), 5);
        await receiver.NextAsync();
        await UntilAttempts(hook.Id, 1);

        var state = Only(hook.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo("pending"));
            Assert.That(state.LastStatus, Is.EqualTo(status));
            Assert.That(state.LastError, Does.Contain("redirects are not followed").And.Contain("/elsewhere"));
            Assert.That(receiver.Count, Is.EqualTo(1), "nothing reached /elsewhere");
        }
    }

    sealed class RedirectTo(int status, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }

    [Test]
    public async Task SlackFormat_PostsASlackMessageWithScoreCommentUserAccountAndDashboardLink()
    {
        var (ws, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url(), categories: ["detractor"], format: "slack");
        var jane = _people.Next();

        await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, jane, 2, "Interview scheduling <!channel> is painful");
        var got = await receiver.NextAsync();

        var json = got.Json;
        var blocks = string.Join("\n", ReceivedWebhook.Strings(json.GetProperty("blocks")));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(got.VerifiesWith(hook.Secret!, _app.Time.GetUtcNow()), Is.True, "Slack bodies are signed too");
            Assert.That(json.GetProperty("text").GetString(), Does.Contain("2/10").And.Contain("detractor").And.Contain(jane.Email));
            Assert.That(json.TryGetProperty("type", out _), Is.False, "not the JSON event");
            Assert.That(blocks, Does.Contain("Interview scheduling &lt;!channel&gt; is painful"));
            Assert.That(blocks, Does.Contain(jane.AccountId));
            Assert.That(blocks, Does.Contain("http://localhost/dashboard#/responses/"), "links to the response's page on the server the webhook was created on");
        }
    }

    [Test]
    public async Task TestEndpoint_SendsASignedPingToThatSubscriptionOnly()
    {
        var (_, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var other = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url());
        var otherHook = await Subscribe(http, other.Url());

        var queued = await (await http.PostAsync($"/v1/webhooks/{hook.Id}/test", null)).ReadJson<PingQueuedResponse>(202);
        var got = await receiver.NextAsync();
        await UntilDelivered(hook.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(got.Id, Is.EqualTo(queued.EventId));
            Assert.That(got.VerifiesWith(hook.Secret!, _app.Time.GetUtcNow()), Is.True);
            Assert.That(got.Json.GetProperty("type").GetString(), Is.EqualTo("ping"));
            Assert.That(got.Json.GetProperty("data").GetProperty("webhookId").GetString(), Is.EqualTo(hook.Id));
            Assert.That(Only(hook.Id).Id, Is.EqualTo(queued.DeliveryId));
            Assert.That(Deliveries(otherHook.Id), Is.Empty);
        }
    }

    [Test]
    public async Task RotatedSecret_BothSignaturesDuringTheWindow_OnlyTheNewOneAfter()
    {
        var (_, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url());
        var rotated = await (await http.PostAsync($"/v1/webhooks/{hook.Id}/rotate-secret", null)).ReadJson<RotatedSecretResponse>();

        await http.PostAsync($"/v1/webhooks/{hook.Id}/test", null);
        var during = await receiver.NextAsync();
        _app.Time.AdjustTime(rotated.PreviousSecretExpiresAt.AddSeconds(1));
        await http.PostAsync($"/v1/webhooks/{hook.Id}/test", null);
        var after = await receiver.NextAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(during.Signature!.Split(' '), Has.Length.EqualTo(2));
            Assert.That(during.VerifiesWith(hook.Secret!, _app.Time.GetUtcNow().AddHours(-24)), Is.True, "old secret");
            Assert.That(during.VerifiesWith(rotated.Secret, _app.Time.GetUtcNow().AddHours(-24)), Is.True, "new secret");
            Assert.That(after.Signature!.Split(' '), Has.Length.EqualTo(1));
            Assert.That(after.VerifiesWith(rotated.Secret, _app.Time.GetUtcNow()), Is.True);
            Assert.That(after.VerifiesWith(hook.Secret!, _app.Time.GetUtcNow()), Is.False);
        }
    }

    [Test]
    public async Task LastAttemptFails_DeliveryIsFailed_ThenARetryByHandDeliversIt()
    {
        var (_, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        var healthy = false;
        receiver.Respond = _ => Task.FromResult(healthy ? Results.Ok() : Results.StatusCode(503));
        var hook = await Subscribe(http, receiver.Url());
        var maxAttempts = new WebhookOptions().MaxAttempts;

        await http.PostAsync($"/v1/webhooks/{hook.Id}/test", null);
        var first = _app.Time.GetUtcNow();
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            await receiver.NextAsync();
            await UntilAttempts(hook.Id, attempt);
            if (Only(hook.Id).NextAttemptAt is { } next)
                _app.Time.AdjustTime(DateTimeOffset.FromUnixTimeMilliseconds(next));
        }
        var failed = Only(hook.Id);
        var span = DateTimeOffset.FromUnixTimeMilliseconds(failed.LastAttemptAt!.Value) - first;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failed.Status, Is.EqualTo("failed"));
            Assert.That(failed.Attempts, Is.EqualTo(maxAttempts));
            Assert.That(failed.NextAttemptAt, Is.Null);
            Assert.That(failed.LastStatus, Is.EqualTo(503));
            Assert.That(span, Is.InRange(TimeSpan.FromHours(19), TimeSpan.FromHours(31)), "retries span about a day");
        }
        var failedPage = await (await http.GetAsync($"/v1/webhooks/{hook.Id}/deliveries?status=failed")).ReadJson<DeliveryPage>();
        Assert.That(failedPage.Items.Single().Id, Is.EqualTo(failed.Id));

        healthy = true;
        var retried = await (await http.PostAsync($"/v1/webhooks/{hook.Id}/deliveries/{failed.Id}/retry", null)).ReadJson<DeliveryResponse>(202);
        var got = await receiver.NextAsync();
        await UntilDelivered(hook.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(retried.Status, Is.EqualTo("pending"));
            Assert.That(got.VerifiesWith(hook.Secret!, _app.Time.GetUtcNow()), Is.True);
            Assert.That(Only(hook.Id).Attempts, Is.EqualTo(maxAttempts + 1));
        }
    }

    [Test]
    public async Task SlowEndpoint_DoesNotHoldUpOtherSubscriptions()
    {
        var (ws, http) = NewWorkspace();
        await using var slow = await WebhookReceiver.StartAsync();
        await using var fast = await WebhookReceiver.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        slow.Respond = async _ =>
        {
            await release.Task;
            return Results.Ok();
        };
        var slowHook = await Subscribe(http, slow.Url());
        var fastHook = await Subscribe(http, fast.Url());

        for (var i = 0; i < 5; i++)
            await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, _people.Next(), i);
        await UntilDelivered(fastHook.Id, 5);
        var slowInFlight = slow.Count;
        release.SetResult();
        await UntilDelivered(slowHook.Id, 5);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(slowInFlight, Is.InRange(1, new WebhookOptions().MaxConcurrencyPerEndpoint), "the slow endpoint held at most its share of slots");
            Assert.That(slow.Drain().Select(r => r.Id).Distinct().Count(), Is.EqualTo(5));
        }
    }

    [Test]
    public async Task Deliveries_PageNewestFirstWithACursor()
    {
        var (_, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url());
        var queued = new List<long>();
        for (var i = 0; i < 5; i++)
            queued.Add((await (await http.PostAsync($"/v1/webhooks/{hook.Id}/test", null)).ReadJson<PingQueuedResponse>(202)).DeliveryId);

        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await http.GetAsync($"/v1/webhooks/{hook.Id}/deliveries?limit=2" + (cursor is null ? "" : $"&cursor={cursor}")))
                .ReadJson<DeliveryPage>();
            seen.AddRange(page.Items.Select(d => d.Id));
            cursor = page.NextCursor;
            pages++;
        } while (cursor is not null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen, Is.EqualTo(queued.AsEnumerable().Reverse()));
            Assert.That(pages, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task FinishedDeliveries_PastRetention_ArePruned_PendingOnesAndTheirEventStay()
    {
        var (ws, http) = NewWorkspace();
        await using var ok = await WebhookReceiver.StartAsync();
        await using var down = await WebhookReceiver.StartAsync();
        down.Respond = Status(_ => 503);
        var done = await Subscribe(http, ok.Url());
        var waiting = await Subscribe(http, down.Url());
        await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, _people.Next(), 5);
        await UntilDelivered(done.Id);
        await UntilAttempts(waiting.Id, 1);

        _app.Time.Advance(TimeSpan.FromDays(new WebhookOptions().RetentionDays + 1));
        await Poll.UntilAsync(() => Deliveries(done.Id).Count == 0, "the delivered one pruned");

        using var c = _app.Db.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Deliveries(waiting.Id), Has.Count.EqualTo(1));
            Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM webhook_events WHERE workspace_id = @W", new { W = ws.WorkspaceId }), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task RolledBackWrite_LeavesNoEventBehind()
    {
        var (ws, http) = NewWorkspace();
        var hook = await Subscribe(http, "http://127.0.0.1:9/hook");
        var ghost = _people.Next();

        Assert.ThrowsAsync<InvalidOperationException>(() => Outbox.SaveResponseAsync(_app, ws.WorkspaceId, ghost, 0,
            thenFail: () => throw new InvalidOperationException("the response write fails after the hook ran")));

        using var c = _app.Db.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM responses WHERE user_id = @U", new { U = ghost.UserId }), Is.Zero);
            Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM webhook_events WHERE user_id = @U", new { U = ghost.UserId }), Is.Zero);
            Assert.That(Deliveries(hook.Id), Is.Empty);
        }
    }

    [Test]
    public async Task ErasedUser_TheirEventsAndDeliveriesAreDeleted()
    {
        var (ws, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = Status(_ => 500);
        var hook = await Subscribe(http, receiver.Url());
        var leaving = _people.Next();
        var staying = _people.Next();
        await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, leaving, 1, "please forget me");
        await Outbox.SaveResponseAsync(_app, ws.WorkspaceId, staying, 2);

        await Outbox.EraseUserAsync(_app, ws.WorkspaceId, leaving.UserId);

        using var c = _app.Db.Open();
        var payloads = string.Join("\n", c.Query<string>("SELECT payload FROM webhook_events WHERE workspace_id = @W", new { W = ws.WorkspaceId }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(payloads, Does.Not.Contain(leaving.UserId).And.Not.Contain(leaving.Email).And.Not.Contain("forget me"));
            Assert.That(payloads, Does.Contain(staying.UserId));
            Assert.That(Deliveries(hook.Id), Has.Count.EqualTo(1));
        }
    }
}
