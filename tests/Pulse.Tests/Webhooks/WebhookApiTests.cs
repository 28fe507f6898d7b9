using System.Net;
using System.Net.Http.Json;
using Dapper;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Webhooks;

/// <summary>The subscription API: create, read, delete, and every way to get it wrong. URLs point at a closed loopback port.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class WebhookApiTests(StorageProvider provider)
{
    const string DeadUrl = "http://127.0.0.1:9/hook"; // discard port: nothing listens, nothing leaves the machine
    PulseFactory _app = null!;
    CreatedWorkspace _a = null!;
    CreatedWorkspace _b = null!;
    HttpClient _httpA = null!;
    HttpClient _httpB = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(provider: provider);
        _ = _app.Server;
        _a = _app.CreateWorkspace("Acme");
        _b = _app.CreateWorkspace("Globex", ["https://globex.test"]);
        _httpA = _app.SecretClient(_a.SecretKey);
        _httpB = _app.SecretClient(_b.SecretKey);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _httpA.Dispose();
        _httpB.Dispose();
        _app.Dispose();
    }

    async Task<WebhookResponse> Create(HttpClient http, object body) =>
        await (await http.PostAsync("/v1/webhooks", Json.Of(body))).ReadJson<WebhookResponse>(201);

    [Test]
    public async Task Create_ValidSubscription_Is201WithTheSecretShownOnlyThere()
    {
        var response = await _httpA.PostAsync("/v1/webhooks", Json.Of(new
        {
            url = DeadUrl, events = new[] { "response.created", "response.updated", "response.created" }, categories = new[] { "detractor" },
            format = "slack",
        }));
        var created = await response.ReadJson<WebhookResponse>(201);
        var one = await _httpA.GetAsync($"/v1/webhooks/{created.Id}");
        var oneText = await one.Content.ReadAsStringAsync();
        var listText = await _httpA.GetStringAsync("/v1/webhooks");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/v1/webhooks/{created.Id}"));
            Assert.That(created.Id, Does.StartWith("wh_"));
            Assert.That(created.Secret, Does.StartWith("whsec_"));
            Assert.That(created.Url, Is.EqualTo(DeadUrl));
            Assert.That(created.Events, Is.EqualTo(new[] { "response.created", "response.updated" }));
            Assert.That(created.Categories, Is.EqualTo(new[] { "detractor" }));
            Assert.That(created.Format, Is.EqualTo("slack"));
            Assert.That(created.SurveyId, Is.Null);
            Assert.That(one.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(oneText, Does.Contain(created.Id).And.Not.Contain("whsec_").And.Not.Contain("secret\""));
            Assert.That(listText, Does.Contain(created.Id).And.Not.Contain("whsec_"));
        }
    }

    [Test]
    public async Task Create_WithASurveyOfTheWorkspace_KeepsTheFilter()
    {
        var surveyId = Outbox.DefaultSurveyId(_app, _a.WorkspaceId);
        var created = await Create(_httpA, new { url = DeadUrl, events = new[] { "decline.created" }, surveyId });
        Assert.That(created.SurveyId, Is.EqualTo(surveyId));
    }

    [Test]
    public async Task Create_UnknownEventType_Is400NamingTheElement()
    {
        var problem = await (await _httpA.PostAsync("/v1/webhooks",
            Json.Of(new { url = DeadUrl, events = new[] { "response.created", "response.deleted" } }))).AssertProblem(400);
        Assert.That(problem.GetProperty("errors").GetProperty("events[1]")[0].GetString(), Does.Contain("response.deleted"));
    }

    [Test]
    public async Task Create_PingAsAnEvent_Is400PointingToTheTestEndpoint()
    {
        var problem = await (await _httpA.PostAsync("/v1/webhooks", Json.Of(new { url = DeadUrl, events = new[] { "ping" } }))).AssertProblem(400);
        Assert.That(problem.GetProperty("errors").GetProperty("events[0]")[0].GetString(), Does.Contain("/test"));
    }

    [TestCase("""{"url":"http://127.0.0.1:9/hook"}""", "events")]
    [TestCase("""{"url":"http://127.0.0.1:9/hook","events":[]}""", "events")]
    [TestCase("""{"events":["response.created"]}""", "url")]
    [TestCase("""{"url":"not a url","events":["response.created"]}""", "url")]
    [TestCase("""{"url":"ftp://127.0.0.1/hook","events":["response.created"]}""", "url")]
    [TestCase("""{"url":"http://user:pw@127.0.0.1:9/hook","events":["response.created"]}""", "url")]
    [TestCase("""{"url":"http://127.0.0.1:9/hook","events":["response.created"],"categories":["angry"]}""", "categories[0]")]
    [TestCase("""{"url":"http://127.0.0.1:9/hook","events":["response.created"],"categories":[]}""", "categories")]
    [TestCase("""{"url":"http://127.0.0.1:9/hook","events":["response.created"],"format":"xml"}""", "format")]
    [TestCase("""{"url":"http://127.0.0.1:9/hook","events":["response.created"],"surveyId":"srv_nope"}""", "surveyId")]
    public async Task Create_BadField_Is400NamingIt(string body, string field)
    {
        var problem = await (await _httpA.PostAsync("/v1/webhooks", Json.Body(body))).AssertProblem(400);
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
    }

    [Test]
    public async Task Create_TooManyEvents_Is400()
    {
        var events = Enumerable.Repeat("response.created", 11).ToArray();
        var problem = await (await _httpA.PostAsync("/v1/webhooks", Json.Of(new { url = DeadUrl, events }))).AssertProblem(400);
        Assert.That(problem.GetProperty("errors").ToString(), Does.Contain("events").IgnoreCase, problem.ToString());
    }

    [Test]
    public async Task Create_AnotherWorkspacesSurvey_Is400LikeAMissingOne()
    {
        var theirs = Outbox.DefaultSurveyId(_app, _b.WorkspaceId);
        var problem = await (await _httpA.PostAsync("/v1/webhooks",
            Json.Of(new { url = DeadUrl, events = new[] { "response.created" }, surveyId = theirs }))).AssertProblem(400);
        Assert.That(problem.GetProperty("errors").GetProperty("surveyId")[0].GetString(), Does.Contain("no survey"));
    }

    [Test]
    public async Task Categories_OfEveryKind_AreAccepted_AndOneSurveysMustBeOfItsKind()
    {
        var nps = Outbox.DefaultSurveyId(_app, _a.WorkspaceId); // before the CSAT one exists: it takes the first survey
        var csat = Outbox.AddSurvey(_app, _a.WorkspaceId, "Support CSAT", "csat");
        var unhappy = await Create(_httpA, new { url = DeadUrl, events = new[] { "response.created" }, categories = new[] { "detractor", "dissatisfied", "difficult" } });
        var satisfied = await Create(_httpA, new { url = DeadUrl, events = new[] { "response.created" }, categories = new[] { "dissatisfied" }, surveyId = csat });
        var wrongKind = await (await _httpA.PostAsync("/v1/webhooks",
            Json.Of(new { url = DeadUrl, events = new[] { "response.created" }, categories = new[] { "dissatisfied", "detractor" }, surveyId = csat }))).AssertProblem(400);
        var before = await _httpA.GetStringAsync("/v1/webhooks");
        // Moving a CSAT-only filter to the NPS survey without new categories would leave a filter that never matches.
        var moved = await (await _httpA.PatchAsync($"/v1/webhooks/{satisfied.Id}", Json.Of(new { surveyId = nps }))).AssertProblem(400);
        var recategorised = await (await _httpA.PatchAsync($"/v1/webhooks/{satisfied.Id}", Json.Of(new { categories = new[] { "promoter" } }))).AssertProblem(400);
        var after = await _httpA.GetStringAsync("/v1/webhooks");
        var both = await (await _httpA.PatchAsync($"/v1/webhooks/{satisfied.Id}", Json.Of(new { surveyId = nps, categories = new[] { "detractor" } }))).ReadJson<WebhookResponse>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(unhappy.Categories, Is.EqualTo(new[] { "detractor", "dissatisfied", "difficult" }));
            Assert.That(satisfied.Categories, Is.EqualTo(new[] { "dissatisfied" }));
            Assert.That(wrongKind.GetProperty("errors").TryGetProperty("categories[0]", out _), Is.False, wrongKind.ToString());
            Assert.That(wrongKind.GetProperty("errors").GetProperty("categories[1]")[0].GetString(),
                Does.Contain("csat survey").And.Contain("dissatisfied, neutral, satisfied"));
            Assert.That(moved.GetProperty("errors").GetProperty("categories[0]")[0].GetString(), Does.Contain("nps survey"));
            Assert.That(recategorised.GetProperty("errors").GetProperty("categories[0]")[0].GetString(), Does.Contain("'promoter'"));
            Assert.That(after, Is.EqualTo(before), "a refused change changes nothing");
            Assert.That(both.SurveyId, Is.EqualTo(nps));
            Assert.That(both.Categories, Is.EqualTo(new[] { "detractor" }));
        }
    }

    [Test]
    public async Task Create_MalformedJson_Is400()
    {
        var problem = await (await _httpA.PostAsync("/v1/webhooks", Json.Body("""{"url": "x", "events": "response.created"}"""))).AssertProblem(400);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("$.events"));
    }

    [Test]
    public async Task Create_WithoutASecretKey_Is401()
    {
        using var anonymous = _app.CreateClient();
        await (await anonymous.PostAsync("/v1/webhooks", Json.Of(new { url = DeadUrl, events = new[] { "response.created" } }))).AssertProblem(401);
    }

    [Test]
    public async Task AnotherWorkspacesWebhook_Is404OnEveryRoute()
    {
        var theirs = await Create(_httpB, new { url = DeadUrl, events = new[] { "response.created" } });
        var delivery = (await (await _httpB.PostAsync($"/v1/webhooks/{theirs.Id}/test", null)).ReadJson<PingQueuedResponse>(202)).DeliveryId;

        var attempts = new[]
        {
            await _httpA.GetAsync($"/v1/webhooks/{theirs.Id}"),
            await _httpA.DeleteAsync($"/v1/webhooks/{theirs.Id}"),
            await _httpA.GetAsync($"/v1/webhooks/{theirs.Id}/deliveries"),
            await _httpA.PostAsync($"/v1/webhooks/{theirs.Id}/deliveries/{delivery}/retry", null),
            await _httpA.PostAsync($"/v1/webhooks/{theirs.Id}/test", null),
            await _httpA.PostAsync($"/v1/webhooks/{theirs.Id}/rotate-secret", null),
        };
        foreach (var response in attempts)
            await response.AssertProblem(404);
        var list = await (await _httpA.GetAsync("/v1/webhooks")).ReadJson<WebhookList>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(list.Items.Select(w => w.Id), Does.Not.Contain(theirs.Id));
            Assert.That((await _httpB.GetAsync($"/v1/webhooks/{theirs.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "still there for its owner");
        }
    }

    [Test]
    public async Task RetryOfADeliveryOfAnotherSubscription_Is404()
    {
        var mine = await Create(_httpA, new { url = DeadUrl, events = new[] { "response.created" } });
        var other = await Create(_httpA, new { url = DeadUrl, events = new[] { "response.created" } });
        var delivery = (await (await _httpA.PostAsync($"/v1/webhooks/{other.Id}/test", null)).ReadJson<PingQueuedResponse>(202)).DeliveryId;

        await (await _httpA.PostAsync($"/v1/webhooks/{mine.Id}/deliveries/{delivery}/retry", null)).AssertProblem(404);
        await (await _httpA.PostAsync($"/v1/webhooks/{mine.Id}/deliveries/999999/retry", null)).AssertProblem(404);
    }

    [Test]
    public async Task Delete_RemovesTheSubscriptionItsDeliveriesAndEvents()
    {
        var created = await Create(_httpA, new { url = DeadUrl, events = new[] { "response.created" } });
        var ping = await (await _httpA.PostAsync($"/v1/webhooks/{created.Id}/test", null)).ReadJson<PingQueuedResponse>(202);

        var deleted = await _httpA.DeleteAsync($"/v1/webhooks/{created.Id}");

        using var c = _app.Db.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            await (await _httpA.GetAsync($"/v1/webhooks/{created.Id}")).AssertProblem(404);
            await (await _httpA.DeleteAsync($"/v1/webhooks/{created.Id}")).AssertProblem(404);
            Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = @Id", new { created.Id }), Is.Zero);
            Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM webhook_events WHERE id = @Id", new { Id = ping.EventId }), Is.Zero);
        }
    }

    [TestCase("status=sent")]
    [TestCase("limit=0")]
    [TestCase("limit=500")]
    [TestCase("cursor=abc")]
    [TestCase("limit=ten")]
    public async Task Deliveries_BadQuery_Is400(string query)
    {
        var created = await Create(_httpA, new { url = DeadUrl, events = new[] { "response.created" } });
        await (await _httpA.GetAsync($"/v1/webhooks/{created.Id}/deliveries?{query}")).AssertProblem(400);
    }

    [Test]
    public async Task RotateSecret_IssuesANewSecretAndKeepsTheOldOneForTheWindow()
    {
        var created = await Create(_httpA, new { url = DeadUrl, events = new[] { "response.created" } });
        var rotated = await (await _httpA.PostAsync($"/v1/webhooks/{created.Id}/rotate-secret", null)).ReadJson<RotatedSecretResponse>();
        var after = await (await _httpA.GetAsync($"/v1/webhooks/{created.Id}")).ReadJson<WebhookResponse>();

        using var c = _app.Db.Open();
        var stored = c.QuerySingle<(string Secret, string Previous)>("SELECT secret, previous_secret FROM webhooks WHERE id = @Id", new { created.Id });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotated.Secret, Does.StartWith("whsec_").And.Not.EqualTo(created.Secret!));
            Assert.That(rotated.PreviousSecretExpiresAt, Is.EqualTo(_app.Time.GetUtcNow().AddHours(24)));
            Assert.That(after.PreviousSecretExpiresAt, Is.EqualTo(rotated.PreviousSecretExpiresAt));
            Assert.That(stored, Is.EqualTo((rotated.Secret, created.Secret!)));
        }
    }

    [Test]
    public async Task The21stSubscription_Is409NamingTheLimit_UntilOneIsDeleted()
    {
        var ws = _app.CreateWorkspace("Fan-out");
        using var http = _app.SecretClient(ws.SecretKey);
        var body = new { url = DeadUrl, events = new[] { "response.created" } };
        var created = new List<WebhookResponse>();
        for (var i = 0; i < 20; i++)
            created.Add(await Create(http, body));

        var refused = await http.PostAsync("/v1/webhooks", Json.Of(body));
        var doc = await refused.AssertProblem(409);
        var listed = (await (await http.GetAsync("/v1/webhooks")).ReadJson<WebhookList>()).Items.Count;
        (await http.DeleteAsync($"/v1/webhooks/{created[0].Id}")).EnsureSuccessStatusCode();
        var afterDelete = await http.PostAsync("/v1/webhooks", Json.Of(body));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(doc.GetProperty("limit").GetString(), Is.EqualTo("Webhooks:MaxPerWorkspace"));
            Assert.That(doc.GetProperty("max").GetInt32(), Is.EqualTo(20));
            Assert.That(doc.GetProperty("detail").GetString(), Does.Contain("20 webhook subscriptions"));
            Assert.That(listed, Is.EqualTo(20));
            Assert.That((int)afterDelete.StatusCode, Is.EqualTo(201));
        }
    }
}
