using System.Net.Http.Json;
using System.Text.Json;
using Pulse.Api.Workspaces;
using Pulse.Client;
using Pulse.Tests.Support;

namespace Pulse.Tests.Client;

/// <summary>Every call of <see cref="IPulseClient"/> against the real API on loopback, and its typed errors.</summary>
public sealed class PulseClientTests
{
    PulseFactory _pulse = null!;
    CreatedWorkspace _workspace = null!;
    ClientHost _host = null!;

    IPulseClient Client => _host.Client;

    [OneTimeSetUp]
    public void Start()
    {
        _pulse = new PulseFactory();
        _pulse.StartKestrel();
        _workspace = _pulse.CreateWorkspace("Acme HR", ["https://app.acme.test"], requireUserHash: true);
        _host = ClientHost.For(_pulse.Address!, _workspace);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _host.Dispose();
        _pulse.Dispose();
    }

    [SetUp]
    public void ClearAttempts() => _host.Attempts.Clear();

    /// <summary>A user who signed up long ago (due for the default survey), with a plan of their own to filter on.</summary>
    PulseUser DueUser(string? id = null, string? plan = null) => new(id ?? "u-" + Guid.NewGuid().ToString("n"))
    {
        Email = "dana@customer.test",
        CreatedAt = _pulse.Time.GetUtcNow().AddDays(-400),
        Traits = new Dictionary<string, TraitValue> { ["plan"] = plan ?? "premium", ["arr"] = 48000, ["champion"] = true, ["csm"] = TraitValue.Null },
    };

    async Task<string> Token(PulseUser user, ClientHost? host = null)
    {
        var result = await (host ?? _host).Client.CheckEligibilityAsync(new EligibilityCheck(user));
        Assert.That(result.Eligible, Is.True, result.Reason);
        return result.DisplayToken!;
    }

    [Test]
    public async Task CheckEligibility_FromTheServer_ReservesTheDisplayWithTheTraitsAndTexts()
    {
        var plan = "plan-" + Guid.NewGuid().ToString("n");
        var user = DueUser(plan: plan);

        var result = await Client.CheckEligibilityAsync(new EligibilityCheck(user) { Locale = "de-AT", Url = new Uri("https://app.acme.test/jobs?x=1") });
        var again = await Client.CheckEligibilityAsync(new EligibilityCheck(user));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Eligible, Is.True, result.Reason);
            Assert.That(result.Reason, Is.EqualTo(EligibilityReasons.Eligible));
            Assert.That(result.DisplayToken, Does.StartWith("dt_"));
            Assert.That(result.Survey!.Locale, Is.EqualTo("de"));
            Assert.That(result.Survey.Dir, Is.EqualTo("ltr"));
            Assert.That(result.Survey.Texts.Question, Does.Contain("Acme HR").Or.Contain("weiterempfehlen"));
            Assert.That(result.Survey.Texts.FollowUp.Detractor, Is.Not.Empty);
            Assert.That(result.Survey.Theme.Color, Does.Match("^#[0-9a-f]{6}$"));
            Assert.That(again, Is.EqualTo(new EligibilityResult(false, EligibilityReasons.ThrottledDisplay)), "the display is reserved");
        }

        await Client.AnswerAsync(new Answer(result.DisplayToken!, 3));
        using var secret = _pulse.SecretClient(_workspace.SecretKey);
        var page = await secret.GetFromJsonAsync<JsonElement>($"/v1/responses?where%5Bplan%5D={plan}");
        var traits = page.GetProperty("items")[0].GetProperty("traits");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.GetProperty("items")[0].GetProperty("userId").GetString(), Is.EqualTo(user.Id));
            Assert.That(page.GetProperty("items")[0].GetProperty("url").GetString(), Is.EqualTo("https://app.acme.test/jobs?x=1"));
            Assert.That(traits.GetProperty("arr").GetDouble(), Is.EqualTo(48000));
            Assert.That(traits.GetProperty("champion").GetBoolean(), Is.True);
            Assert.That(traits.GetProperty("csm").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }
    }

    [Test]
    public async Task CheckEligibility_WithAnEvent_ShowsTheSurveyThatListensToIt()
    {
        var trigger = "case_closed_" + Guid.NewGuid().ToString("n")[..8];
        var user = DueUser();

        var before = await Client.CheckEligibilityAsync(new EligibilityCheck(user) { Event = trigger });
        using var secret = _pulse.SecretClient(_workspace.SecretKey);
        var created = await secret.PostAsync("/v1/surveys", Json.Body($$"""{"name":"Support NPS","trigger":"{{trigger}}","firstSurveyDelayDays":0}"""));
        var surveyId = (await created.ReadJson<JsonElement>(201)).GetProperty("id").GetString();
        var after = await Client.CheckEligibilityAsync(new EligibilityCheck(user) { Event = trigger });

        Assert.That(before.Reason, Is.EqualTo(EligibilityReasons.NoTrigger));
        Assert.That(after.Survey?.Id, Is.EqualTo(surveyId), after.Reason);
    }

    [Test]
    public async Task Answer_ThenItsComment_CreatesOnceAndUpdates()
    {
        var token = await Token(DueUser());

        var first = await Client.AnswerAsync(new Answer(token, 9));
        var second = await Client.AnswerAsync(new Answer(token, 9) { Comment = "Fast & <friendly>", FollowUp = new Dictionary<string, string> { ["reason"] = "speed" } });
        var retry = await Client.AnswerAsync(new Answer(token, 9));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Created, Is.True);
            Assert.That(first.Category, Is.EqualTo("promoter"));
            Assert.That(second.Created, Is.False);
            Assert.That(second.Id, Is.EqualTo(first.Id));
            Assert.That(second.Comment, Is.EqualTo("Fast & <friendly>"));
            Assert.That(second.FollowUp!["reason"], Is.EqualTo("speed"));
            Assert.That(retry.Comment, Is.EqualTo("Fast & <friendly>"), "a score-only repeat keeps the comment");
        }
    }

    [Test]
    public async Task Decline_StartsTheDeclineCooldown()
    {
        var user = DueUser();
        var token = await Token(user);

        await Client.DeclineAsync(token);
        await Client.DeclineAsync(token);
        _pulse.Time.Advance(TimeSpan.FromDays(2));
        try
        {
            var after = await Client.CheckEligibilityAsync(new EligibilityCheck(user));
            Assert.That(after.Reason, Is.EqualTo(EligibilityReasons.ThrottledDecline));
        }
        finally
        {
            _pulse.Time.AdjustTime(_pulse.Time.GetUtcNow() - TimeSpan.FromDays(2));
        }
    }

    [Test]
    public async Task OptOut_OfAUserPulseHasNeverSeen_HoldsOnTheirFirstVisit()
    {
        var user = DueUser();

        await Client.OptOutAsync(user.Id);
        await Client.OptOutAsync(user.Id);
        var result = await Client.CheckEligibilityAsync(new EligibilityCheck(user));

        Assert.That(result.Reason, Is.EqualTo(EligibilityReasons.OptedOut));
    }

    [TestCase("org/42")]
    [TestCase("ünïcödé user?#&")]
    public async Task EraseUser_RemovesTheirResponses_WhateverCharactersTheIdHas(string prefix)
    {
        var plan = "plan-" + Guid.NewGuid().ToString("n");
        var user = DueUser(prefix + Guid.NewGuid().ToString("n"), plan);
        await Client.AnswerAsync(new Answer(await Token(user), 2));
        var today = DateOnly.FromDateTime(_pulse.Time.GetUtcNow().UtcDateTime);
        var query = new NpsQuery { FromDate = today, ToDate = today, Where = new Dictionary<string, string> { ["plan"] = plan } };
        var before = await Client.GetNpsAsync(query);

        await Client.EraseUserAsync(user.Id);
        await Client.EraseUserAsync(user.Id);
        var after = await Client.GetNpsAsync(query);

        Assert.That((before.Responses, after.Responses), Is.EqualTo((1L, 0L)));
        Assert.That(_host.Attempts.All.Where(a => a.Method == "DELETE").Select(a => a.Status), Is.EqualTo(new[] { 204, 204 }));
    }

    [Test]
    public async Task GetNps_ReadsTheRangeAsASeriesAndBySegment()
    {
        var plan = "plan-" + Guid.NewGuid().ToString("n");
        await Client.AnswerAsync(new Answer(await Token(DueUser(plan: plan)), 10));
        await Client.AnswerAsync(new Answer(await Token(DueUser(plan: plan)), 0));
        await Client.AnswerAsync(new Answer(await Token(DueUser(plan: plan)), 9));

        var today = DateOnly.FromDateTime(_pulse.Time.GetUtcNow().UtcDateTime);
        var report = await Client.GetNpsAsync(new NpsQuery
        {
            FromDate = today.AddDays(-6),
            ToDate = today,
            Interval = NpsInterval.Day,
            TimeZone = "Europe/Berlin",
            GroupBy = "plan",
            Where = new Dictionary<string, string> { ["plan"] = plan },
        });

        using (Assert.EnterMultipleScope())
        {
            Assert.That((report.Promoters, report.Detractors, report.Responses, report.Displays), Is.EqualTo((2L, 1L, 3L, 3L)));
            Assert.That(report.Nps, Is.EqualTo(33.3));
            Assert.That(report.LowSample, Is.True);
            Assert.That(report.Series, Has.Count.EqualTo(7));
            Assert.That(report.Series![^1].Start.Offset, Is.EqualTo(TimeSpan.FromHours(1)), "Berlin in March");
            Assert.That(report.Series.Sum(p => p.Responses), Is.EqualTo(3));
            Assert.That(report.Groups!.Select(g => (g.Value, g.Responses)), Is.EqualTo(new[] { (plan, 3L) }));
            Assert.That(report.Groups![0].Series!, Has.Count.EqualTo(7));
        }
    }

    [Test]
    public async Task SendAsync_ReachesEndpointsWithoutAMethod_WithTheSecretKey()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/workspace");
        using var response = await Client.SendAsync(request);

        var workspace = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(workspace.GetProperty("id").GetString(), Is.EqualTo(_workspace.WorkspaceId));
    }

    [Test]
    public async Task UserHash_IsWhatPulseVerifies_AndWhatTheReadmeComputes()
    {
        const string id = "ünïcödé/user 42";
        var hash = UserHash.Compute(_workspace.IdentitySecret, id);
        var readme = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(_workspace.IdentitySecret), System.Text.Encoding.UTF8.GetBytes(id)));

        using var browser = _pulse.BrowserClient("https://app.acme.test");
        var accepted = await browser.PostAsync("/v1/eligibility", Json.Of(new { siteKey = _workspace.SiteKey, user = new { id }, userHash = hash }));
        var refused = await browser.PostAsync("/v1/eligibility", Json.Of(new { siteKey = _workspace.SiteKey, user = new { id = id + "x" }, userHash = hash }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(hash, Is.EqualTo(readme));
            Assert.That(hash, Does.Match("^[0-9a-f]{64}$"));
            Assert.That(Keys.VerifyUserHash(_workspace.IdentitySecret, id, hash), Is.True);
            Assert.That((int)accepted.StatusCode, Is.EqualTo(200));
            Assert.That((int)refused.StatusCode, Is.EqualTo(401));
        }
    }

    // ---- typed errors -------------------------------------------------------------------------

    [Test]
    public void BadFields_Are400_WithTheFieldErrors_AndNothingIsRetried()
    {
        var bad = new PulseUser("bad\u0001id") { Traits = new Dictionary<string, TraitValue> { ["1plan"] = "x" } };

        var eligibility = Assert.ThrowsAsync<PulseApiException>(() => Client.CheckEligibilityAsync(new EligibilityCheck(bad)))!;
        var answer = Assert.ThrowsAsync<PulseApiException>(() => Client.AnswerAsync(new Answer("dt_whatever", 11)))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(eligibility.Status, Is.EqualTo(400));
            Assert.That(eligibility.Errors.Keys, Does.Contain("user.id"));
            Assert.That(eligibility.Errors.Keys, Has.Some.StartsWith("user.traits"));
            Assert.That(eligibility.Detail, Is.Not.Empty);
            Assert.That(eligibility.Message, Does.Contain("400").And.Contain("user.id"));
            Assert.That(answer.Status, Is.EqualTo(400));
            Assert.That(answer.Errors["score"], Is.Not.Empty);
            Assert.That(_host.Attempts.All, Has.Count.EqualTo(2));
        }
    }

    [Test]
    public void AWrongSecretKey_Is401()
    {
        using var wrong = ClientHost.For(_pulse.Address!, _workspace, new Dictionary<string, string?> { ["Pulse:SecretKey"] = "sk_" + new string('x', 40) });

        var error = Assert.ThrowsAsync<PulseApiException>(() => wrong.Client.OptOutAsync("u-1"))!;

        Assert.That((error.Status, error.Title), Is.EqualTo((401, "Unauthorized")));
        Assert.That(error.Detail, Is.Not.Empty);
    }

    [Test]
    public async Task ATokenOfAnotherWorkspace_Is403()
    {
        var other = _pulse.CreateWorkspace("Other", ["https://other.test"], requireUserHash: true);
        using var otherHost = ClientHost.For(_pulse.Address!, other);
        var foreign = await Token(DueUser(), otherHost);

        var error = Assert.ThrowsAsync<PulseApiException>(() => Client.AnswerAsync(new Answer(foreign, 9)))!;

        Assert.That(error.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Forbidden));
        Assert.That(error.Detail, Does.Contain("another workspace"));
    }

    [Test]
    public void UnknownTokensAndSurveys_Are404()
    {
        var token = Assert.ThrowsAsync<PulseApiException>(() => Client.DeclineAsync("dt_" + new string('0', 40)))!;
        var survey = Assert.ThrowsAsync<PulseApiException>(() => Client.GetNpsAsync(new NpsQuery { SurveyId = "srv_nope" }))!;

        Assert.That((token.Status, survey.Status), Is.EqualTo((404, 404)));
    }

    [Test]
    public async Task AnExpiredToken_Is410()
    {
        var token = await Token(DueUser());
        _pulse.Time.Advance(TimeSpan.FromDays(8));
        try
        {
            var error = Assert.ThrowsAsync<PulseApiException>(() => Client.AnswerAsync(new Answer(token, 9)))!;
            Assert.That(error.Status, Is.EqualTo(410));
            Assert.That(error.Detail, Does.Contain("expired"));
        }
        finally
        {
            _pulse.Time.AdjustTime(_pulse.Time.GetUtcNow() - TimeSpan.FromDays(8));
        }
    }

    [Test]
    public void SecretKeyCalls_WithoutASecretKey_FailBeforeSendingAnything()
    {
        using var siteOnly = ClientHost.For(_pulse.Address!, _workspace, new Dictionary<string, string?> { ["Pulse:SecretKey"] = null });

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => siteOnly.Client.EraseUserAsync("u-1"))!;

        Assert.That(error.Message, Does.Contain("Pulse:SecretKey"));
        Assert.That(siteOnly.Attempts.All, Is.Empty);
    }

    [Test]
    public void AnUnreachablePulse_IsPulseUnavailable_AndNotRetried()
    {
        using var down = ClientHost.For(new Uri("http://127.0.0.1:9/"), _workspace);

        var error = Assert.ThrowsAsync<PulseUnavailableException>(() => down.Client.CheckEligibilityAsync(new EligibilityCheck(DueUser())))!;

        Assert.That(error.InnerException, Is.InstanceOf<HttpRequestException>());
        Assert.That(error, Is.InstanceOf<PulseException>());
    }

    // ---- cancellation -------------------------------------------------------------------------

    [Test]
    public void ACancelledToken_SendsNothing()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var error = Assert.CatchAsync<OperationCanceledException>(() => Client.CheckEligibilityAsync(new EligibilityCheck(DueUser()), cancelled.Token))!;

        Assert.That(error.CancellationToken, Is.EqualTo(cancelled.Token));
        Assert.That(_host.Attempts.All, Is.Empty);
    }
}
