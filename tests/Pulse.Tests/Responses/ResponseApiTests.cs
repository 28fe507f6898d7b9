using System.Net;
using System.Text.Json;
using Dapper;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Responses;

/// <summary>POST /v1/responses against the real API on each storage provider.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class ResponseApiTests(StorageProvider provider) : AnswerFixture(provider)
{
    (long DisplayId, string Token) NewDisplay(CreatedWorkspace? ws = null, string? userId = null, TimeSpan? lifetime = null)
    {
        var (display, token) = _app.CreateDisplay((ws ?? _acme).WorkspaceId, userId ?? "u-" + Guid.NewGuid().ToString("n")[..8], lifetime);
        return (display.Id, token);
    }

    sealed record Row(long Id, long Score, string Category, string? Comment, string? FollowUp);

    Row? ResponseRow(long displayId)
    {
        using var c = _app.Db.Open();
        return c.QuerySingleOrDefault<Row>("SELECT id, score, category, comment, follow_up AS FollowUp FROM responses WHERE display_id = @Id",
            new { Id = displayId });
    }

    long? AnsweredAt(long displayId)
    {
        using var c = _app.Db.Open();
        return c.ExecuteScalar<long?>("SELECT answered_at FROM displays WHERE id = @Id", new { Id = displayId });
    }

    Task<HttpResponseMessage> Post(object body, HttpClient? client = null) =>
        (client ?? _browser).PostAsync("/v1/responses", Json.Of(body));

    [Test]
    public async Task Response_ScoreFirstCommentLater_IsOneRow_201Then200()
    {
        var (displayId, token) = NewDisplay();

        var first = await (await Post(new { displayToken = token, score = 9 })).ReadJson<SavedResponse>(201);
        _app.Time.Advance(TimeSpan.FromSeconds(20));
        var second = await (await Post(new { displayToken = token, score = 9, comment = "Fast and friendly." })).ReadJson<SavedResponse>(200);

        var row = ResponseRow(displayId);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Category, Is.EqualTo("promoter"));
            Assert.That(first.Comment, Is.Null);
            Assert.That(second.Id, Is.EqualTo(first.Id));
            Assert.That(second.Comment, Is.EqualTo("Fast and friendly."));
            Assert.That(second.CreatedAt, Is.EqualTo(first.CreatedAt));
            Assert.That(second.UpdatedAt, Is.EqualTo(first.CreatedAt.AddSeconds(20)));
            Assert.That(_app.Count($"responses WHERE display_id = {displayId}"), Is.EqualTo(1));
            Assert.That(row!.Comment, Is.EqualTo("Fast and friendly."));
            Assert.That(AnsweredAt(displayId), Is.EqualTo(first.CreatedAt.ToUnixTimeMilliseconds()));
        }
    }

    [Test]
    public async Task Response_ChangedScore_UpdatesCategoryAndReportsPreviousValuesToHooks()
    {
        var (displayId, token) = NewDisplay();

        await (await Post(new { displayToken = token, score = 3 })).ReadJson<SavedResponse>(201);
        var updated = await (await Post(new { displayToken = token, score = 8 })).ReadJson<SavedResponse>(200);

        var saved = _hook.Of<ResponseWritten>("ResponseSaved").Where(r => r.Display.DisplayId == displayId).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(updated.Category, Is.EqualTo("passive"));
            Assert.That(ResponseRow(displayId)!.Score, Is.EqualTo(8));
            Assert.That(saved, Has.Count.EqualTo(2));
            Assert.That(saved[0].Created, Is.True);
            Assert.That(saved[0].Category, Is.EqualTo("detractor"));
            Assert.That(saved[1].Created, Is.False);
            Assert.That(saved[1].PreviousScore, Is.EqualTo(3));
            Assert.That(saved[1].PreviousCategory, Is.EqualTo("detractor"));
            Assert.That(saved[1].Display.WorkspaceId, Is.EqualTo(_acme.WorkspaceId));
        }
    }

    [Test]
    public async Task Response_IdenticalRepeat_Is200AndWritesNothing()
    {
        var (displayId, token) = NewDisplay();
        var first = await (await Post(new { displayToken = token, score = 10, comment = "Love it" })).ReadJson<SavedResponse>(201);
        _app.Time.Advance(TimeSpan.FromMinutes(1));

        var again = await (await Post(new { displayToken = token, score = 10, comment = "Love it" })).ReadJson<SavedResponse>(200);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.UpdatedAt, Is.EqualTo(first.UpdatedAt));
            Assert.That(_hook.Of<ResponseWritten>("ResponseSaved").Count(r => r.Display.DisplayId == displayId), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Response_OmittedCommentIsKept_EmptyCommentClears()
    {
        var (displayId, token) = NewDisplay();
        await (await Post(new { displayToken = token, score = 6, comment = "Too slow", followUp = new { reason = "speed" } })).ReadJson<SavedResponse>(201);

        var kept = await (await Post(new { displayToken = token, score = 5 })).ReadJson<SavedResponse>(200);
        var cleared = await (await Post(new { displayToken = token, score = 5, comment = "  ", followUp = new { } })).ReadJson<SavedResponse>(200);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(kept.Comment, Is.EqualTo("Too slow"));
            Assert.That(kept.FollowUp, Is.EqualTo(new Dictionary<string, string> { ["reason"] = "speed" }));
            Assert.That(cleared.Comment, Is.Null);
            Assert.That(cleared.FollowUp, Is.Null);
            Assert.That(ResponseRow(displayId)!.Comment, Is.Null);
        }
    }

    [TestCase(0, "detractor")]
    [TestCase(6, "detractor")]
    [TestCase(7, "passive")]
    [TestCase(8, "passive")]
    [TestCase(9, "promoter")]
    [TestCase(10, "promoter")]
    public async Task Response_StoresTheCategoryOfTheScore(int score, string category)
    {
        var (displayId, token) = NewDisplay();
        var saved = await (await Post(new { displayToken = token, score })).ReadJson<SavedResponse>(201);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(saved.Category, Is.EqualTo(category));
            Assert.That(ResponseRow(displayId)!.Category, Is.EqualTo(category));
        }
    }

    [Test]
    public async Task Response_SqlAndHtmlInTextFields_AreStoredAndReturnedVerbatim()
    {
        var (displayId, token) = NewDisplay();
        const string comment = "<script>alert(1)</script> '); DROP TABLE responses; -- \"quoted\" & ünïcødé 👍\nsecond line";
        const string answer = "<img src=x onerror=alert(1)>' OR '1'='1";

        var saved = await (await Post(new { displayToken = token, score = 4, comment, followUp = new Dictionary<string, string> { ["why"] = answer } }))
            .ReadJson<SavedResponse>(201);

        var row = ResponseRow(displayId);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(saved.Comment, Is.EqualTo(comment));
            Assert.That(saved.FollowUp!["why"], Is.EqualTo(answer));
            Assert.That(row!.Comment, Is.EqualTo(comment));
            Assert.That(JsonSerializer.Deserialize<Dictionary<string, string>>(row.FollowUp!)!["why"], Is.EqualTo(answer));
            Assert.That(_app.Count("responses"), Is.GreaterThan(0));
        }
    }

    [Test]
    public async Task Response_CommentOfExactly5000Characters_IsAccepted()
    {
        var (_, token) = NewDisplay();
        var comment = new string('é', ResponseRules.MaxCommentLength);
        var saved = await (await Post(new { displayToken = token, score = 2, comment })).ReadJson<SavedResponse>(201);
        Assert.That(saved.Comment, Has.Length.EqualTo(5000));
    }

    [Test]
    public async Task Response_UnknownToken_Is404()
    {
        var before = _app.Count("responses");
        await (await Post(new { displayToken = "dt_" + new string('x', 40), score = 9 })).AssertProblem(404);
        Assert.That(_app.Count("responses"), Is.EqualTo(before));
    }

    [Test]
    public async Task Response_ExpiredToken_Is410_AndAnUpdateAfterExpiryToo()
    {
        var (displayId, token) = NewDisplay(lifetime: TimeSpan.FromDays(7));
        await (await Post(new { displayToken = token, score = 9 })).ReadJson<SavedResponse>(201);
        var (laterId, laterToken) = NewDisplay(lifetime: TimeSpan.FromDays(7));

        _app.Time.Advance(TimeSpan.FromDays(7));

        var doc = await (await Post(new { displayToken = laterToken, score = 9 })).AssertProblem(410);
        await (await Post(new { displayToken = token, score = 1, comment = "changed my mind" })).AssertProblem(410);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(doc.GetProperty("detail").GetString(), Does.Contain("expired"));
            Assert.That(ResponseRow(laterId), Is.Null);
            Assert.That(ResponseRow(displayId)!.Score, Is.EqualTo(9));
        }
    }

    [Test]
    public async Task Response_TokenUsedFromAnotherWorkspacesPage_Is403()
    {
        var (displayId, token) = NewDisplay(_acme);
        using var globexPage = _app.BrowserClient("https://globex.test");

        var doc = await (await Post(new { displayToken = token, score = 9 }, globexPage)).AssertProblem(403);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(doc.GetProperty("detail").GetString(), Does.Contain("https://globex.test"));
            Assert.That(ResponseRow(displayId), Is.Null);
        }
    }

    [Test]
    public async Task Response_TokenSentWithAnotherWorkspacesSiteKey_Is403()
    {
        // Both workspaces allow the same origin, so only the site key tells them apart.
        var shared = _app.CreateWorkspace("Shared origin", [Origin]);
        var (displayId, token) = NewDisplay(_acme);

        await (await Post(new { displayToken = token, score = 9, siteKey = shared.SiteKey })).AssertProblem(403);
        var ok = await Post(new { displayToken = token, score = 9, siteKey = _acme.SiteKey });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(_app.Count($"responses WHERE display_id = {displayId}"), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Response_WithoutOrigin_IsAccepted_BecauseTheTokenIsTheCapability()
    {
        var (displayId, token) = NewDisplay(_globex);
        using var server = _app.CreateClient();

        var saved = await (await Post(new { displayToken = token, score = 7 }, server)).ReadJson<SavedResponse>(201);

        Assert.That(saved.Id, Is.EqualTo(ResponseRow(displayId)!.Id));
    }

    [Test]
    public async Task Response_ConcurrentFirstPostsOfOneToken_CreateOneRow()
    {
        var (displayId, token) = NewDisplay();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Post(new { displayToken = token, score = 9, comment = $"tab {i}" })));

        var codes = answers.Select(a => (int)a.StatusCode).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(codes.Count(c => c == 201), Is.EqualTo(1), string.Join(",", codes));
            Assert.That(codes.Count(c => c == 200), Is.EqualTo(7));
            Assert.That(_app.Count($"responses WHERE display_id = {displayId}"), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Response_AfterADecline_IsAcceptedAndTheDeclineStays()
    {
        var (displayId, token) = NewDisplay();
        (await _browser.PostAsync("/v1/declines", Json.Of(new { displayToken = token }))).EnsureSuccessStatusCode();

        await (await Post(new { displayToken = token, score = 8 })).ReadJson<SavedResponse>(201);

        using var c = _app.Db.Open();
        var declinedAt = c.ExecuteScalar<long?>("SELECT declined_at FROM displays WHERE id = @Id", new { Id = displayId });
        Assert.That(declinedAt, Is.Not.Null);
    }

    [Test]
    public async Task Preflight_FromAnyOrigin_IsAnswered()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/v1/responses");
        request.Headers.Add("Origin", "https://somewhere.test");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");

        using var http = _app.CreateClient();
        var response = await http.SendAsync(request);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(response.Headers.GetValues("Access-Control-Allow-Origin"), Is.EqualTo(new[] { "https://somewhere.test" }));
        }
    }
}
