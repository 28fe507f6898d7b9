using Bogus;
using Dapper;
using Pulse.Api.Displays;
using Pulse.Api.Eligibility;
using Pulse.Api.Surveys;
using Pulse.Api.Users;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Eligibility;

public sealed class StableUntilTests
{
    const long Day = EligibilityRules.Day;
    static readonly long Now = new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    static readonly WorkspaceRules Workspace = new("ws_rules", FatigueDays: 7);

    [Test]
    public void StableUntil_IsTheFirstTimedEdge_AndTheDecisionHoldsUpToIt()
    {
        var survey = SurveyDefaults.New(Workspace.WorkspaceId, 0) with { Id = "srv_a" };
        var history = new UserHistory(
            new EndUser(Workspace.WorkspaceId, "u", null, Now - 365 * Day, Now - 365 * Day, Now, "{}", null),
            new Dictionary<string, SurveyHistory> { ["srv_a"] = new(Now - 10 * Day, Now - 10 * Day, null, null) },
            new Dictionary<string, int>());
        var ask = new EligibilityAsk("u");

        var until = EligibilityRules.StableUntil([survey], Workspace, history, ask, Now);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(until, Is.EqualTo(Now - 10 * Day + 90 * Day), "the resurvey throttle ends first");
            Assert.That(EligibilityRules.Decide([survey], Workspace, history, ask, until - 1).Reason, Is.EqualTo(Reasons.ThrottledResponse));
            Assert.That(EligibilityRules.Decide([survey], Workspace, history, ask, until).Reason, Is.Not.EqualTo(Reasons.ThrottledResponse));
        }
    }

    /// <summary>Random surveys and histories: no instant before StableUntil gives another answer than now.</summary>
    [Test]
    public void StableUntil_NoDecisionChangesBeforeIt_OverRandomHistories()
    {
        var f = new Faker { Random = new Randomizer(404) };
        var mismatches = new List<string>();
        for (var i = 0; i < 2000; i++)
        {
            var surveys = Enumerable.Range(0, f.Random.Int(1, 3)).Select(n => SurveyDefaults.New(Workspace.WorkspaceId, n) with
            {
                Id = $"srv_{n}",
                Priority = f.Random.Int(0, 2),
                FirstSurveyDelayDays = f.Random.Int(0, 40),
                ResurveyDays = f.Random.Int(0, 120),
                DeclineCooldownDays = f.Random.Int(0, 40),
                ReshowAfterIgnoredDays = f.Random.Int(0, 3),
                SamplePercent = f.Random.Int(0, 100),
                DailyCap = f.Random.Bool(0.2f) ? f.Random.Int(0, 3) : null,
            }).ToList();
            long? Ago(int maxDays) => f.Random.Bool(0.6f) ? Now - f.Random.Long(0, maxDays * Day) : null;
            var history = new UserHistory(
                new EndUser(Workspace.WorkspaceId, "u", null, Ago(60), Now - 500 * Day, Now, "{}", null),
                surveys.ToDictionary(s => s.Id, _ => new SurveyHistory(Ago(20), Ago(150), Ago(50), Ago(3))),
                surveys.ToDictionary(s => s.Id, _ => f.Random.Int(0, 4)));
            var ask = new EligibilityAsk($"u{i}");
            var before = EligibilityRules.Decide(surveys, Workspace, history, ask, Now).Reason;
            var until = EligibilityRules.StableUntil(surveys, Workspace, history, ask, Now);
            Assert.That(until, Is.GreaterThan(Now));
            foreach (var t in new[] { Now + 1, Now + (Math.Min(until, Now + 400 * Day) - Now) / 2, Math.Min(until, Now + 400 * Day) - 1 })
            {
                var later = EligibilityRules.Decide(surveys, Workspace, history, ask, t).Reason;
                if (later != before)
                    mismatches.Add($"case {i}: {before} at now, {later} at +{(t - Now) / (double)Day:F3} days (until +{(until - Now) / (double)Day:F3})");
            }
        }
        Assert.That(mismatches, Is.Empty);
    }
}

public sealed class DecisionCacheTests
{
    static readonly Workspace Ws = new("ws_1", "W", "P", "pk", "ids", [], true, 7, false, 0, 0);

    [Test]
    public void TryGet_MatchesOnlyTheSameRequestVersionEventAndTime()
    {
        var cache = new DecisionCache(TimeSpan.FromSeconds(60), 100);
        var fp = DecisionCache.Fingerprint("a@b.co", 5, """{"plan":"x"}""");
        cache.Set("ws_1", "u", null, Reasons.ThrottledResponse, now: 1000, stableUntil: 30_000, version: 7, fp, lastSeenAt: 1000);
        const long Hour = 3_600_000;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cache.TryGet("ws_1", "u", null, 2000, 7, fp, Hour, out var reason), Is.True);
            Assert.That(reason, Is.EqualTo(Reasons.ThrottledResponse));
            Assert.That(cache.TryGet("ws_1", "u", null, 30_000, 7, fp, Hour, out _), Is.False, "stable-until reached");
            Assert.That(cache.TryGet("ws_1", "u", null, 2000, 8, fp, Hour, out _), Is.False, "surveys changed");
            Assert.That(cache.TryGet("ws_1", "u", "signup", 2000, 7, fp, Hour, out _), Is.False, "another event");
            Assert.That(cache.TryGet("ws_1", "u", null, 2000, 7, DecisionCache.Fingerprint("a@b.co", 5, """{"plan":"y"}"""), Hour, out _), Is.False, "traits changed");
            Assert.That(cache.TryGet("ws_1", "v", null, 2000, 7, fp, Hour, out _), Is.False, "another user");
            Assert.That(cache.TryGet("ws_2", "u", null, 2000, 7, fp, Hour, out _), Is.False, "another workspace");
            Assert.That(cache.TryGet("ws_1", "u", null, 2000, 7, fp, 500, out _), Is.False, "last-seen due for a write");
        }
        cache.Forget("ws_1", "u");
        Assert.That(cache.TryGet("ws_1", "u", null, 2000, 7, fp, Hour, out _), Is.False, "forgotten");
    }

    [Test]
    public void Set_KeepsAnEntryAtMostTheTimeLimit_AndStartsOverPastTheSizeBound()
    {
        var cache = new DecisionCache(TimeSpan.FromSeconds(60), maxEntries: 3);
        var fp = DecisionCache.Fingerprint(null, null, null);
        cache.Set("ws_1", "u", null, Reasons.TooNew, now: 0, stableUntil: long.MaxValue, version: 1, fp, lastSeenAt: 0);
        Assert.That(cache.TryGet("ws_1", "u", null, 59_999, 1, fp, long.MaxValue, out _), Is.True);
        Assert.That(cache.TryGet("ws_1", "u", null, 60_000, 1, fp, long.MaxValue, out _), Is.False);

        foreach (var user in new[] { "a", "b", "c", "d" })
            cache.Set("ws_1", user, null, Reasons.TooNew, 0, long.MaxValue, 1, fp, 0);
        Assert.That(cache.Count, Is.LessThanOrEqualTo(3));
    }

    [Test]
    public void TheSizeBound_CountsDistinctUsers_NotSetsOrForgottenOnes()
    {
        var cache = new DecisionCache(TimeSpan.FromSeconds(60), maxEntries: 3);
        var fp = DecisionCache.Fingerprint(null, null, null);
        void Set(string user) => cache.Set("ws_1", user, null, Reasons.TooNew, 0, long.MaxValue, 1, fp, 0);
        bool Cached(string user) => cache.TryGet("ws_1", user, null, 1, 1, fp, long.MaxValue, out _);

        Set("a");
        Set("a");
        Set("a");
        Set("b");
        cache.Forget("ws_1", "b");
        cache.Forget("ws_1", "b");
        Set("c");
        // Three sets of "a", a forgotten "b" and "c" are two users: the bound of three is not reached.
        Set("d");
        Assert.Multiple(() =>
        {
            Assert.That(Cached("a") && Cached("c") && Cached("d"), Is.True, "no start-over below the bound");
            Assert.That(cache.Count, Is.EqualTo(3));
        });
        Set("e");
        Assert.Multiple(() =>
        {
            Assert.That(Cached("a"), Is.False, "past the bound the cache starts over");
            Assert.That(Cached("e"), Is.True);
            Assert.That(cache.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public void Version_ChangesWithASurveyEditOrTheWorkspaceSettings()
    {
        var s = SurveyDefaults.New("ws_1", 0) with { Id = "srv_a", UpdatedAt = 1 };
        var v = DecisionCache.Version(Ws, [s]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(DecisionCache.Version(Ws, [s], surveysGeneration: 1), Is.Not.EqualTo(v));
            Assert.That(DecisionCache.Version(Ws with { FatigueDays = 3 }, [s]), Is.Not.EqualTo(v));
            Assert.That(DecisionCache.Version(Ws, [s with { UpdatedAt = 2 }]), Is.Not.EqualTo(v));
            Assert.That(DecisionCache.Version(Ws with { UpdatedAt = 9 }, [s]), Is.Not.EqualTo(v));
            Assert.That(DecisionCache.Version(Ws, []), Is.Not.EqualTo(v));
            Assert.That(DecisionCache.Version(Ws, [s]), Is.EqualTo(v));
        }
    }
}

public sealed class DecisionCacheApiTests
{
    PulseFactory _app = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory();
        _ = _app.Server;
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    [Test]
    public async Task SurveyEditThroughTheApi_IsSeenAtOnce_EvenWithinTheSameMillisecond()
    {
        var ws = _app.CreateWorkspace("Edit");
        using var server = _app.SecretClient(ws.SecretKey);
        var user = User("u-edit", _app.Time.GetUtcNow(), signedUpDaysAgo: 3);
        Assert.That((await server.CheckUser(user)).Reason, Is.EqualTo(Reasons.TooNew));
        var list = await (await server.GetAsync("/v1/surveys")).ReadJson<System.Text.Json.JsonElement>();
        var id = list.GetProperty("items")[0].GetProperty("id").GetString();

        var put = await server.PutAsync($"/v1/surveys/{id}", Json.Of(new { firstSurveyDelayDays = 0 }));
        Assert.That(put.IsSuccessStatusCode, Is.True);

        Assert.That((await server.CheckUser(user)).Reason, Is.EqualTo(Reasons.Eligible));
    }

    [Test]
    public async Task CachedAnswer_IsReusedUntilTheTimeLimit_ThenReadAgain()
    {
        var ws = _app.CreateWorkspace("Limit");
        using var server = _app.SecretClient(ws.SecretKey);
        var user = User("u-limit", _app.Time.GetUtcNow(), signedUpDaysAgo: 3);
        Assert.That((await server.CheckUser(user)).Reason, Is.EqualTo(Reasons.TooNew));

        // Opt the user out behind the API's back: a cached answer cannot know, a fresh read does.
        using (var c = _app.Db.Open())
            c.Execute("UPDATE end_users SET opted_out_at = 1 WHERE user_id = 'u-limit'");
        var cached = await server.CheckUser(user);
        _app.Time.Advance(TimeSpan.FromSeconds(61));
        var fresh = await server.CheckUser(user);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cached.Reason, Is.EqualTo(Reasons.TooNew), "answered from memory");
            Assert.That(fresh.Reason, Is.EqualTo(Reasons.OptedOut), "read again after the time limit");
        }
    }

    [Test]
    public async Task OptOutThroughTheApi_IsSeenAtOnce()
    {
        var ws = _app.CreateWorkspace("OptOut");
        using var server = _app.SecretClient(ws.SecretKey);
        var user = User("u-opt", _app.Time.GetUtcNow(), signedUpDaysAgo: 3);
        Assert.That((await server.CheckUser(user)).Reason, Is.EqualTo(Reasons.TooNew));

        var optOut = await server.PostAsync("/v1/opt-outs", Json.Of(new { userId = "u-opt" }));
        Assert.That((int)optOut.StatusCode, Is.EqualTo(204));

        Assert.That((await server.CheckUser(user)).Reason, Is.EqualTo(Reasons.OptedOut));
    }
}
