using System.Net;
using System.Text.Json;
using Dapper;
using Pulse.Api.Access;
using Pulse.Api.FollowUps;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Webhooks;

/// <summary>
/// Closing the loop (issue 16): one alert per answer within <c>Webhooks:MergeWindow</c> (fake clock,
/// also across a restart), Slack links to the response's page, subscriptions filtered by trait, and
/// the follow-up events — <c>follow_up.overdue</c> exactly once with two servers on one database file.
/// Deliveries go to real receivers on loopback.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class AlertRoutingTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";
    TempDirectory _dir = null!;
    PostgresDatabase? _postgres;
    readonly List<PulseFactory> _apps = [];

    /// <summary>The test's database, which outlives each server (a restart finds what the first one wrote).</summary>
    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _postgres = provider == StorageProvider.Postgres ? Postgres.CreateDatabase() : null;
    }

    [TearDown]
    public void TearDown()
    {
        foreach (var app in _apps)
            app.Dispose();
        _apps.Clear();
        _dir.Dispose();
        _postgres?.Dispose();
    }

    /// <summary>A server on the test's database, with the product's 2-minute merge window unless told otherwise.</summary>
    PulseFactory Start(FakeTimeProvider? time = null, string mergeWindow = "00:02:00")
    {
        var app = new PulseFactory(new Dictionary<string, string?>
        {
            ["Webhooks:PollInterval"] = "00:00:00.020",
            ["Webhooks:MergeWindow"] = mergeWindow,
            ["Webhooks:PublicUrl"] = "https://pulse.acme.test",
            ["FollowUps:OverdueCheckInterval"] = "00:00:00.020",
            ["ConnectionStrings:Pulse"] = _postgres?.ConnectionString ?? $"Data Source={_dir.File("pulse.db")}",
        }, _dir.File("pulse.db"), time, provider: provider);
        _ = app.Server;
        _apps.Add(app);
        return app;
    }

    static async Task<WebhookResponse> Subscribe(HttpClient http, string url, string[] events, object? where = null, string format = "json") =>
        await (await http.PostAsync("/v1/webhooks", Json.Of(new { url, events, where, format }))).ReadJson<WebhookResponse>(201);

    /// <summary>A first answer, score only, through the widget's endpoint.</summary>
    static async Task<SavedResponse> Answer(HttpClient browser, string token, int score) =>
        await (await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score }))).ReadJson<SavedResponse>(201);

    static long Count(PulseFactory app, string sql, object? args = null)
    {
        using var c = app.Db.Open();
        return c.ExecuteScalar<long>(sql, args);
    }

    static long Delivered(PulseFactory app, string webhookId) =>
        Count(app, "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = @webhookId AND status = 'delivered'", new { webhookId });

    [Test]
    public async Task ScoreThenCommentWithinTheWindow_OneCreatedWithTheComment_ALaterEditIsAnUpdate()
    {
        var app = Start();
        var ws = app.CreateWorkspace("Acme", [Origin]);
        using var http = app.SecretClient(ws.SecretKey);
        using var browser = app.BrowserClient(Origin);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var slack = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url(), ["response.created", "response.updated"]);
        var slackHook = await Subscribe(http, slack.Url(), ["response.created", "response.updated"], format: "slack");
        var token = app.CreateDisplay(ws.WorkspaceId, "u-lee", email: "lee@client.test", traitsJson: """{"accountName":"Client Co"}""").Token;

        var tap = await Answer(browser, token, 3);
        var held = Count(app, "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending' AND attempts = 0 AND next_attempt_at = @due",
            new { due = app.Time.GetUtcNow().AddMinutes(2).ToUnixTimeMilliseconds() });
        app.Time.Advance(TimeSpan.FromSeconds(40));
        await (await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 3, comment = "Exports <fail> *daily*" }))).ReadJson<SavedResponse>(200);
        var created = await receiver.NextAsync();
        var message = await slack.NextAsync();
        await Poll.UntilAsync(() => Delivered(app, hook.Id) == 1 && Delivered(app, slackHook.Id) == 1, "the one alert recorded");

        app.Time.Advance(TimeSpan.FromMinutes(2));
        await (await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 6, comment = "Better now" }))).ReadJson<SavedResponse>(200);
        var updated = await receiver.NextAsync();
        await slack.NextAsync();
        await Poll.UntilAsync(() => Delivered(app, hook.Id) == 2, "the update recorded");

        var first = created.Json.GetProperty("data").GetProperty("response");
        var text = string.Join("\n", ReceivedWebhook.Strings(message.Json));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(held, Is.EqualTo(2), "the score alone is held for the window, for both subscriptions");
            Assert.That(created.Json.GetProperty("type").GetString(), Is.EqualTo("response.created"));
            Assert.That(first.GetProperty("id").GetInt64(), Is.EqualTo(tap.Id));
            Assert.That(first.GetProperty("comment").GetString(), Is.EqualTo("Exports <fail> *daily*"), "one alert, with the comment");
            Assert.That(first.GetProperty("previousScore").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(created.VerifiesWith(hook.Secret!, app.Time.GetUtcNow()), Is.True);
            Assert.That(text, Does.Contain($"https://pulse.acme.test/dashboard#/responses/{tap.Id}|Open this response in Pulse"));
            Assert.That(text, Does.Contain("Exports &lt;fail&gt;"), "the comment is in the one message, escaped");
            Assert.That(updated.Json.GetProperty("type").GetString(), Is.EqualTo("response.updated"), "after the window an edit is an update");
            Assert.That(updated.Json.GetProperty("data").GetProperty("response").GetProperty("previousScore").GetInt32(), Is.EqualTo(3));
            Assert.That(Count(app, "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = @Id", new { hook.Id }), Is.EqualTo(2), "created + updated, not three");
        }
    }

    [Test]
    public async Task ScoreWithoutComment_IsSentWhenTheWindowEnds_AlsoAfterARestart()
    {
        var first = Start();
        var ws = first.CreateWorkspace("Acme", [Origin]);
        await using var receiver = await WebhookReceiver.StartAsync();
        WebhookResponse hook;
        SavedResponse tap;
        using (var http = first.SecretClient(ws.SecretKey))
        using (var browser = first.BrowserClient(Origin))
        {
            hook = await Subscribe(http, receiver.Url(), ["response.created"]);
            tap = await Answer(browser, first.CreateDisplay(ws.WorkspaceId, "u-kim").Token, 2);
        }
        first.Time.Advance(TimeSpan.FromSeconds(119));
        var stillHeld = Count(first, "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending' AND attempts = 0");
        first.Dispose();
        _apps.Remove(first);

        var second = Start(new FakeTimeProvider(PulseFactory.DefaultNow.AddMinutes(3)));
        var got = await receiver.NextAsync();
        await Poll.UntilAsync(() => Delivered(second, hook.Id) == 1, "delivered by the restarted server");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stillHeld, Is.EqualTo(1), "nothing leaves before the window ends");
            Assert.That(receiver.Drain(), Is.Empty);
            Assert.That(got.Json.GetProperty("type").GetString(), Is.EqualTo("response.created"));
            Assert.That(got.Json.GetProperty("data").GetProperty("response").GetProperty("id").GetInt64(), Is.EqualTo(tap.Id));
            Assert.That(got.Json.GetProperty("data").GetProperty("response").GetProperty("comment").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }
    }

    [Test]
    public async Task TraitFilteredSubscriptions_EachReceiverGetsOnlyItsAccounts()
    {
        var app = Start(mergeWindow: "00:00:00");
        var ws = app.CreateWorkspace("Acme", [Origin]);
        using var http = app.SecretClient(ws.SecretKey);
        using var browser = app.BrowserClient(Origin);
        await using var dana = await WebhookReceiver.StartAsync();
        await using var sam = await WebhookReceiver.StartAsync();
        await using var big = await WebhookReceiver.StartAsync();
        var danaHook = await Subscribe(http, dana.Url(), ["response.created"], new { csm = "Dana Lee" });
        var samHook = await Subscribe(http, sam.Url(), ["response.created"], new { csm = "Sam Roe", plan = "enterprise" });
        var bigHook = await Subscribe(http, big.Url(), ["response.created"], new { arr = "120000" });

        var answers = new (string User, string Traits)[]
        {
            ("u1", """{"csm":"Dana Lee","plan":"pro","arr":48000}"""),
            ("u2", """{"csm":"Sam Roe","plan":"enterprise","arr":120000}"""),
            ("u3", """{"csm":"Sam Roe","plan":"pro"}"""),
            ("u4", """{"csm":"dana lee"}"""),
            ("u5", "{}"),
            ("u6", """{"csm":"Dana Lee"}"""),
        };
        foreach (var (user, traits) in answers)
            await Answer(browser, app.CreateDisplay(ws.WorkspaceId, user, traitsJson: traits).Token, 5);
        await Poll.UntilAsync(() => Count(app, "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'") == 0, "every delivery made");

        static string[] Users(WebhookReceiver r) =>
            r.Drain().Select(x => x.Json.GetProperty("data").GetProperty("response").GetProperty("userId").GetString()!).Order().ToArray();
        var listed = await (await http.GetAsync($"/v1/webhooks/{samHook.Id}")).ReadJson<WebhookResponse>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Users(dana), Is.EqualTo(new[] { "u1", "u6" }), "exact value, case-sensitive, as analytics' where");
            Assert.That(Users(sam), Is.EqualTo(new[] { "u2" }), "every filter must hold");
            Assert.That(Users(big), Is.EqualTo(new[] { "u2" }), "numbers compare as analytics prints them");
            Assert.That(listed.Where, Is.EqualTo(new Dictionary<string, string> { ["csm"] = "Sam Roe", ["plan"] = "enterprise" }));
            Assert.That(danaHook.Where!["csm"], Is.EqualTo("Dana Lee"));
            Assert.That(bigHook.Id, Is.Not.Null);
        }
    }

    [Test]
    public async Task AFilter_ChangedWithPatch_RoutesTheNextAnswers_AndBadPatchesChangeNothing()
    {
        var app = Start(mergeWindow: "00:00:00");
        var ws = app.CreateWorkspace("Acme", [Origin]);
        var other = app.CreateWorkspace("Other", [Origin]);
        using var http = app.SecretClient(ws.SecretKey);
        using var stranger = app.SecretClient(other.SecretKey);
        using var browser = app.BrowserClient(Origin);
        await using var receiver = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url(), ["response.created"], new { csm = "Dana Lee" });
        var secret = Count(app, "SELECT COUNT(*) FROM webhooks WHERE secret IS NOT NULL");
        string SecretOf() { using var c = app.Db.Open(); return c.ExecuteScalar<string>("SELECT secret FROM webhooks WHERE id = @Id", new { hook.Id })!; }
        var secretBefore = SecretOf();

        async Task<string[]> AnswerAll(params (string User, string Csm)[] users)
        {
            foreach (var (user, csm) in users)
                await Answer(browser, app.CreateDisplay(ws.WorkspaceId, user, traitsJson: $$"""{"csm":"{{csm}}"}""").Token, 4);
            await Poll.UntilAsync(() => Count(app, "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'") == 0, "every delivery made");
            return receiver.Drain().Select(x => x.Json.GetProperty("data").GetProperty("response").GetProperty("userId").GetString()!).Order().ToArray();
        }

        var before = await AnswerAll(("u1", "Dana Lee"), ("u2", "Priya Raman"));
        var handed = await (await http.PatchAsync($"/v1/webhooks/{hook.Id}", Json.Body("""{"where":{"csm":"Priya Raman"}}"""))).ReadJson<WebhookResponse>();
        var after = await AnswerAll(("u3", "Dana Lee"), ("u4", "Priya Raman"));
        var badEvent = await http.PatchAsync($"/v1/webhooks/{hook.Id}", Json.Body("""{"events":["nope"],"where":null}"""));
        var badUrl = await http.PatchAsync($"/v1/webhooks/{hook.Id}", Json.Body("""{"url":"ftp://x"}"""));
        var unknownField = await http.PatchAsync($"/v1/webhooks/{hook.Id}", Json.Body("""{"secret":"mine"}"""));
        var notYours = await stranger.PatchAsync($"/v1/webhooks/{hook.Id}", Json.Body("""{"where":null}"""));
        var unchanged = await (await http.GetAsync($"/v1/webhooks/{hook.Id}")).ReadJson<WebhookResponse>();
        var cleared = await (await http.PatchAsync($"/v1/webhooks/{hook.Id}", Json.Body("""{"where":null}"""))).ReadJson<WebhookResponse>();
        var everyone = await AnswerAll(("u5", "Dana Lee"), ("u6", "Tom Becker"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(before, Is.EqualTo(new[] { "u1" }));
            Assert.That(handed.Where, Is.EqualTo(new Dictionary<string, string> { ["csm"] = "Priya Raman" }));
            Assert.That(handed.Events, Is.EqualTo(new[] { "response.created" }), "fields not sent stay");
            Assert.That(after, Is.EqualTo(new[] { "u4" }), "the next answers follow the new filter");
            Assert.That(badEvent.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await badEvent.Content.ReadAsStringAsync(), Does.Contain("events[0]"));
            Assert.That(badUrl.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(unknownField.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "the secret is rotated, not patched");
            Assert.That(notYours.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(unchanged.Where, Is.EqualTo(handed.Where), "a refused patch changes nothing");
            Assert.That(cleared.Where, Is.Null);
            Assert.That(everyone, Is.EqualTo(new[] { "u5", "u6" }), "null removes the filter");
            Assert.That(SecretOf(), Is.EqualTo(secretBefore), "the secret stays");
            Assert.That(secret, Is.EqualTo(1));
            Assert.That(Count(app, "SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.updated'"), Is.EqualTo(2));
        }
    }

    [TestCase("""{"url":"http://127.0.0.1:9/h","events":["response.created"],"where":{"a\"b":"x"}}""", "where.")]
    [TestCase("""{"url":"http://127.0.0.1:9/h","events":["response.created"],"where":{"csm":3}}""", null)]
    [TestCase("""{"url":"http://127.0.0.1:9/h","events":["follow_up.later"]}""", "events[0]")]
    public async Task BadTraitFilterOrEvent_Is400_AndSubscribesNothing(string body, string? field)
    {
        var app = Start();
        var ws = app.CreateWorkspace("Acme", [Origin]);
        using var http = app.SecretClient(ws.SecretKey);
        var answer = await http.PostAsync("/v1/webhooks", Json.Body(body));
        var problem = await answer.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), problem);
            Assert.That(answer.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            if (field is not null)
                Assert.That(JsonDocument.Parse(problem).RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name),
                    Has.Some.StartsWith(field), problem);
            Assert.That(Count(app, "SELECT COUNT(*) FROM webhooks"), Is.Zero);
        }
    }

    [Test]
    public async Task FollowUpEvents_AssignedByARule_ClosedByPatch_OnlyForTheFilteredAccount()
    {
        var app = Start(mergeWindow: "00:00:00");
        var ws = app.CreateWorkspace("Acme", [Origin]);
        var danaId = app.AddMember(ws.WorkspaceId, "dana@acme.test", Roles.Analyst);
        using var http = app.SecretClient(ws.SecretKey);
        using var browser = app.BrowserClient(Origin);
        await (await http.PutAsync("/v1/follow-ups/settings", Json.Body("""
            {"assignmentRules":[{"when":[{"trait":"csm","op":"eq","value":"Dana Lee"}],"assignee":"dana@acme.test"}]}
            """))).ReadJson<FollowUpSettings>();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var slack = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url(), ["follow_up.assigned", "follow_up.closed"], new { csm = "Dana Lee" });
        await Subscribe(http, slack.Url(), ["follow_up.assigned"], format: "slack");

        var theirs = await Answer(browser, app.CreateDisplay(ws.WorkspaceId, "u-dana", traitsJson: """{"csm":"Dana Lee","accountName":"Initech"}""").Token, 2);
        var other = await Answer(browser, app.CreateDisplay(ws.WorkspaceId, "u-other", traitsJson: """{"csm":"Sam Roe"}""").Token, 1);
        var assigned = await receiver.NextAsync();
        var message = await slack.NextAsync();

        var page = await (await http.GetAsync("/v1/follow-ups")).ReadJson<FollowUpPage>();
        var mine = page.Items.Single(f => f.Response.Id == theirs.Id);
        var notMine = page.Items.Single(f => f.Response.Id == other.Id);
        await (await http.PatchAsync($"/v1/follow-ups/{notMine.Id}", Json.Body("""{"status":"closed","outcome":"resolved"}"""))).ReadJson<FollowUpItem>();
        await (await http.PatchAsync($"/v1/follow-ups/{mine.Id}", Json.Body("""{"status":"in_progress"}"""))).ReadJson<FollowUpItem>();
        await (await http.PatchAsync($"/v1/follow-ups/{mine.Id}", Json.Body("""{"status":"closed","outcome":"no_reply"}"""))).ReadJson<FollowUpItem>();
        var closed = await receiver.NextAsync();
        await Poll.UntilAsync(() => Delivered(app, hook.Id) == 2, "both recorded");

        var data = assigned.Json.GetProperty("data");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(assigned.Json.GetProperty("type").GetString(), Is.EqualTo("follow_up.assigned"));
            Assert.That(data.GetProperty("followUp").GetProperty("id").GetString(), Is.EqualTo(mine.Id));
            Assert.That(data.GetProperty("followUp").GetProperty("assignee").GetProperty("id").GetString(), Is.EqualTo(danaId));
            Assert.That(data.GetProperty("response").GetProperty("id").GetInt64(), Is.EqualTo(theirs.Id));
            Assert.That(data.GetProperty("response").GetProperty("traits").GetProperty("csm").GetString(), Is.EqualTo("Dana Lee"));
            Assert.That(string.Join("\n", ReceivedWebhook.Strings(message.Json)), Does.Contain($"#/responses/{theirs.Id}|Open this response in Pulse"));
            Assert.That(closed.Json.GetProperty("type").GetString(), Is.EqualTo("follow_up.closed"));
            Assert.That(closed.Json.GetProperty("data").GetProperty("followUp").GetProperty("outcome").GetString(), Is.EqualTo("no_reply"));
            Assert.That(receiver.Drain(), Is.Empty, "Sam's account raised nothing here; in_progress is no event");
            Assert.That(Count(app, "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = @Id", new { hook.Id }), Is.EqualTo(2));
        }
    }

    [Test]
    public async Task Overdue_IsRaisedExactlyOnce_AcrossARestartOnTheSameFile()
    {
        var first = Start(mergeWindow: "00:00:00");
        var ws = first.CreateWorkspace("Acme", [Origin]);
        string late;
        using (var http = first.SecretClient(ws.SecretKey))
        using (var browser = first.BrowserClient(Origin))
        {
            await Subscribe(http, "http://127.0.0.1:9/never", ["follow_up.overdue"]);
            var answer = await Answer(browser, first.CreateDisplay(ws.WorkspaceId, "u-late").Token, 0);
            late = (await (await http.GetAsync("/v1/follow-ups")).ReadJson<FollowUpPage>()).Items.Single(f => f.Response.Id == answer.Id).Id;
        }
        const string Events = "SELECT COUNT(*) FROM webhook_events WHERE type = 'follow_up.overdue' AND payload LIKE '%' || @Id || '%'";
        var before = Count(first, Events, new { Id = late });
        first.Time.Advance(TimeSpan.FromDays(4)); // due in one business day: passed on any weekday
        await Poll.UntilAsync(() => Count(first, Events, new { Id = late }) == 1, "announced by the first server");
        first.Dispose();
        _apps.Remove(first);

        var second = Start(new FakeTimeProvider(PulseFactory.DefaultNow.AddDays(5)), mergeWindow: "00:00:00");
        string sentinel;
        using (var http = second.SecretClient(ws.SecretKey))
        using (var browser = second.BrowserClient(Origin))
        {
            var answer = await Answer(browser, second.CreateDisplay(ws.WorkspaceId, "u-later").Token, 1);
            sentinel = (await (await http.GetAsync("/v1/follow-ups")).ReadJson<FollowUpPage>()).Items.Single(f => f.Response.Id == answer.Id).Id;
        }
        second.Time.Advance(TimeSpan.FromDays(4));
        // The watcher works in due order: once the later follow-up is announced, it has seen the first one too.
        await Poll.UntilAsync(() => Count(second, Events, new { Id = sentinel }) == 1, "the second server announces its own");
        var once = Count(second, Events, new { Id = late });
        var marked = Count(second, "SELECT COUNT(*) FROM follow_ups WHERE overdue_sent_at IS NOT NULL");

        // A new due date arms it again: it is raised once more when that one passes.
        using (var http = second.SecretClient(ws.SecretKey))
            await (await http.PatchAsync($"/v1/follow-ups/{late}", Json.Of(new { dueAt = second.Time.GetUtcNow().AddDays(1) }))).ReadJson<FollowUpItem>();
        second.Time.Advance(TimeSpan.FromDays(2));
        await Poll.UntilAsync(() => Count(second, Events, new { Id = late }) == 2, "announced again for the new due date");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(before, Is.Zero, "not before the due date");
            Assert.That(once, Is.EqualTo(1), "not again after the restart");
            Assert.That(marked, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task Overdue_IsRaisedExactlyOnce_WithTwoServersWatchingAtOnce()
    {
        // One clock for both: the follow-ups fall due for both watchers at the same moment.
        var time = new FakeTimeProvider(PulseFactory.DefaultNow);
        var first = Start(time, mergeWindow: "00:00:00");
        var second = Start(time, mergeWindow: "00:00:00");
        var ws = first.CreateWorkspace("Acme", [Origin]);
        const int FollowUps = 200;
        using (var http = first.SecretClient(ws.SecretKey))
        using (var browser = first.BrowserClient(Origin))
        {
            await Subscribe(http, "http://127.0.0.1:9/never", ["follow_up.overdue"]);
            for (var i = 0; i < FollowUps; i++)
                await Answer(browser, first.CreateDisplay(ws.WorkspaceId, $"u-{i}").Token, i % 7);
        }
        const string Marked = "SELECT COUNT(*) FROM follow_ups WHERE overdue_sent_at IS NOT NULL";
        const string Events = "SELECT COUNT(*) FROM webhook_events WHERE type = 'follow_up.overdue'";

        time.Advance(TimeSpan.FromDays(4));
        await Poll.UntilAsync(() => Count(second, Marked) == FollowUps, "every follow-up marked overdue");
        // A watcher that read the rows before the other committed would commit its copies just after: give both more rounds.
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        Assert.That(Count(first, Events), Is.EqualTo(FollowUps), "one overdue event per follow-up, not one per instance");
    }
}
