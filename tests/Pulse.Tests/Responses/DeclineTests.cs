using Dapper;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Responses;

public sealed class DeclineTests : AnswerFixture
{
    (long Id, string Token) NewDisplay(TimeSpan? lifetime = null)
    {
        var (display, token) = _app.CreateDisplay(_acme.WorkspaceId, "u-" + Guid.NewGuid().ToString("n")[..8], lifetime);
        return (display.Id, token);
    }

    (long? DeclinedAt, long? AnsweredAt) State(long displayId)
    {
        using var c = _app.Db.Open();
        return c.QuerySingle<(long?, long?)>("SELECT declined_at, answered_at FROM displays WHERE id = @Id", new { Id = displayId });
    }

    Task<HttpResponseMessage> Decline(string token, HttpClient? client = null) =>
        (client ?? _browser).PostAsync("/v1/declines", Json.Of(new { displayToken = token }));

    [Test]
    public async Task Decline_Repeated_Is204_RecordedOnceWithOneHookCall()
    {
        var (id, token) = NewDisplay();
        var shownAt = _app.Time.GetUtcNow().ToUnixTimeMilliseconds();

        var first = await Decline(token);
        _app.Time.Advance(TimeSpan.FromMinutes(5));
        var second = await Decline(token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)first.StatusCode, Is.EqualTo(204));
            Assert.That((int)second.StatusCode, Is.EqualTo(204));
            Assert.That(State(id).DeclinedAt, Is.EqualTo(shownAt));
            Assert.That(_hook.Of<DeclineWritten>("DeclineSaved").Count(d => d.Display.DisplayId == id), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Decline_AfterAnAnswer_Is204AndChangesNothing()
    {
        var (id, token) = NewDisplay();
        (await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 9 }))).EnsureSuccessStatusCode();

        var response = await Decline(token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(204));
            Assert.That(State(id).DeclinedAt, Is.Null);
            Assert.That(State(id).AnsweredAt, Is.Not.Null);
            Assert.That(_hook.Of<DeclineWritten>("DeclineSaved").Any(d => d.Display.DisplayId == id), Is.False);
        }
    }

    [Test]
    public async Task Decline_UnknownExpiredOrForeignToken_Is4xxAndNothingIsWritten()
    {
        var (expiredId, expired) = NewDisplay(TimeSpan.FromMinutes(1));
        var (foreignId, foreign) = NewDisplay();
        _app.Time.Advance(TimeSpan.FromMinutes(2));
        using var globexPage = _app.BrowserClient("https://globex.test");

        await (await Decline("dt_nope")).AssertProblem(404);
        await (await Decline(expired)).AssertProblem(410);
        await (await Decline(foreign, globexPage)).AssertProblem(403);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(State(expiredId).DeclinedAt, Is.Null);
            Assert.That(State(foreignId).DeclinedAt, Is.Null);
        }
    }

    [TestCase("{}")]
    [TestCase("""{ "displayToken": null }""")]
    [TestCase("""{ "displayToken": 42 }""")]
    [TestCase("""{ "displayToken": ["dt_x"] }""")]
    [TestCase("{ \"displayToken\": ")]
    [TestCase("[]")]
    public async Task Decline_BadInput_Is400ProblemJson(string json)
    {
        var before = _app.Count("displays WHERE declined_at IS NOT NULL");
        await (await _browser.PostAsync("/v1/declines", Json.Body(json))).AssertProblem(400);
        Assert.That(_app.Count("displays WHERE declined_at IS NOT NULL"), Is.EqualTo(before));
    }

    [Test]
    public async Task Metrics_CountResponsesByCategoryAndDeclines()
    {
        using var metrics = new MetricsProbe(_app);
        var promoter = NewDisplay().Token;
        var detractor = NewDisplay().Token;
        var dismissed = NewDisplay().Token;

        await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = promoter, score = 10 }));
        await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = promoter, score = 10, comment = "great" }));
        await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = detractor, score = 2 }));
        await Decline(dismissed);
        await Decline(dismissed);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(metrics.Sum("pulse.responses", ("category", "promoter"), ("operation", "created")), Is.EqualTo(1));
            Assert.That(metrics.Sum("pulse.responses", ("category", "promoter"), ("operation", "updated")), Is.EqualTo(1));
            Assert.That(metrics.Sum("pulse.responses", ("category", "detractor")), Is.EqualTo(1));
            Assert.That(metrics.Sum("pulse.responses", ("category", "passive")), Is.Zero);
            Assert.That(metrics.Sum("pulse.declines"), Is.EqualTo(1));
        }
    }
}
