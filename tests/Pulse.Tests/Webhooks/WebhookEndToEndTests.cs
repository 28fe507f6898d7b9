using System.Net;
using Dapper;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Webhooks;

/// <summary>
/// The whole path: the widget's <c>POST /v1/responses</c> / <c>POST /v1/declines</c> and the
/// vendor's <c>DELETE /v1/users/{id}</c>, through the outbox, to a real signed delivery.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class WebhookEndToEndTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";
    PulseFactory _app = null!;
    HttpClient _browser = null!;
    readonly Bogus.Faker<Respondent> _people = RespondentFaker.Create(31);

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(new Dictionary<string, string?> { ["Webhooks:PollInterval"] = "00:00:00.020" }, provider: provider);
        _ = _app.Server;
        _browser = _app.BrowserClient(Origin);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _browser.Dispose();
        _app.Dispose();
    }

    (CreatedWorkspace Workspace, HttpClient Http) NewWorkspace()
    {
        var ws = _app.CreateWorkspace("Acme", [Origin]);
        return (ws, _app.SecretClient(ws.SecretKey));
    }

    static async Task<WebhookResponse> Subscribe(HttpClient http, string url, string[] events, string[]? categories = null) =>
        await (await http.PostAsync("/v1/webhooks", Json.Of(new { url, events, categories }))).ReadJson<WebhookResponse>(201);

    string ShowSurvey(CreatedWorkspace ws, Respondent who) =>
        _app.CreateDisplay(ws.WorkspaceId, who.UserId, email: who.Email, traitsJson: who.TraitsJson).Token;

    long DeliveryCount(string webhookId, string? status = null)
    {
        using var c = _app.Db.Open();
        return c.ExecuteScalar<long>("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = @webhookId AND (@status IS NULL OR status = @status)",
            new { webhookId, status });
    }

    [Test]
    public async Task ScoreThenComment_CreatedThenUpdated_ARepeatSendsNothing()
    {
        var (ws, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url(), ["response.created", "response.updated"]);
        var dana = _people.Generate();
        var token = ShowSurvey(ws, dana);

        var tap = await (await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 4 }))).ReadJson<SavedResponse>(201);
        var created = await receiver.NextAsync();
        await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 4, comment = "Reports time out" }));
        var updated = await receiver.NextAsync();
        var repeat = await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 4, comment = "Reports time out" }));
        await Poll.UntilAsync(() => DeliveryCount(hook.Id, "delivered") == 2, "both deliveries recorded");

        var first = created.Json.GetProperty("data").GetProperty("response");
        var second = updated.Json.GetProperty("data").GetProperty("response");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.VerifiesWith(hook.Secret!, _app.Time.GetUtcNow()), Is.True);
            Assert.That(updated.VerifiesWith(hook.Secret!, _app.Time.GetUtcNow()), Is.True);
            Assert.That(created.Json.GetProperty("type").GetString(), Is.EqualTo("response.created"));
            Assert.That(first.GetProperty("id").GetInt64(), Is.EqualTo(tap.Id));
            Assert.That(first.GetProperty("score").GetInt32(), Is.EqualTo(4));
            Assert.That(first.GetProperty("email").GetString(), Is.EqualTo(dana.Email));
            Assert.That(first.GetProperty("traits").GetProperty("accountName").GetString(), Is.EqualTo(dana.AccountName));
            Assert.That(updated.Json.GetProperty("type").GetString(), Is.EqualTo("response.updated"));
            Assert.That(second.GetProperty("id").GetInt64(), Is.EqualTo(tap.Id));
            Assert.That(second.GetProperty("comment").GetString(), Is.EqualTo("Reports time out"));
            Assert.That(second.GetProperty("previousScore").GetInt32(), Is.EqualTo(4));
            Assert.That(repeat.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(DeliveryCount(hook.Id), Is.EqualTo(2), "an unchanged repeat fires no event");
        }
    }

    [Test]
    public async Task DetractorAlert_ThroughTheWidgetEndpoints_OnlyTheDetractorIsSent()
    {
        var (ws, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url(), ["response.created"], ["detractor"]);

        foreach (var score in new[] { 10, 7, 1 })
            await (await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = ShowSurvey(ws, _people.Generate()), score })))
                .ReadJson<SavedResponse>(201);
        var got = await receiver.NextAsync();
        await Poll.UntilAsync(() => DeliveryCount(hook.Id, "delivered") == 1, "the detractor delivered");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(got.Json.GetProperty("data").GetProperty("response").GetProperty("score").GetInt32(), Is.EqualTo(1));
            Assert.That(DeliveryCount(hook.Id), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Dismissal_SendsDeclineCreatedOnce()
    {
        var (ws, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        var hook = await Subscribe(http, receiver.Url(), ["decline.created"]);
        var lee = _people.Generate();
        var token = ShowSurvey(ws, lee);

        await _browser.PostAsync("/v1/declines", Json.Of(new { displayToken = token }));
        var got = await receiver.NextAsync();
        await _browser.PostAsync("/v1/declines", Json.Of(new { displayToken = token }));
        await Poll.UntilAsync(() => DeliveryCount(hook.Id, "delivered") == 1, "the decline delivered");

        var decline = got.Json.GetProperty("data").GetProperty("decline");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(got.VerifiesWith(hook.Secret!, _app.Time.GetUtcNow()), Is.True);
            Assert.That(got.Json.GetProperty("type").GetString(), Is.EqualTo("decline.created"));
            Assert.That(decline.GetProperty("userId").GetString(), Is.EqualTo(lee.UserId));
            Assert.That(decline.GetProperty("traits").GetProperty("plan").GetString(), Is.EqualTo(lee.Plan));
            Assert.That(DeliveryCount(hook.Id), Is.EqualTo(1), "a repeated dismissal is no new event");
        }
    }

    [Test]
    public async Task ErasingAUser_DeletesTheirPendingWebhookEvents()
    {
        var (ws, http) = NewWorkspace();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = _ => Task.FromResult(Microsoft.AspNetCore.Http.Results.StatusCode(503));
        var hook = await Subscribe(http, receiver.Url(), ["response.created"]);
        var leaving = _people.Generate();
        var staying = _people.Generate();
        await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = ShowSurvey(ws, leaving), score = 0, comment = "erase me" }));
        await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = ShowSurvey(ws, staying), score = 0 }));

        var erased = await http.DeleteAsync($"/v1/users/{leaving.UserId}");

        using var c = _app.Db.Open();
        var payloads = string.Join("\n", c.Query<string>("SELECT payload FROM webhook_events WHERE workspace_id = @W", new { W = ws.WorkspaceId }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(erased.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(payloads, Does.Not.Contain(leaving.UserId).And.Not.Contain(leaving.Email).And.Not.Contain("erase me"));
            Assert.That(payloads, Does.Contain(staying.UserId));
            Assert.That(DeliveryCount(hook.Id), Is.EqualTo(1));
        }
    }
}
