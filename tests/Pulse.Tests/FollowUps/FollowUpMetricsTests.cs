using System.Text.Json;
using Pulse.Api.Access;
using Pulse.Api.FollowUps;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.FollowUps;

/// <summary>
/// <c>GET /v1/metrics/follow-ups</c> on a known history written through the API with a fake clock
/// (answers, notes, status changes, closures, later answers), checked against the same history
/// computed here from the case table, without Pulse's code.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class FollowUpMetricsTests(StorageProvider provider) : FollowUpFixture(provider)
{
    /// <summary>One respondent: the first answer, how and when (hours after it) their follow-up is first touched, whether it is closed, and their next answer.</summary>
    sealed record Case(string User, string? Csm, int Score, double? TouchAfter, bool ByStatus, bool Close, int? NextScore, double NextAfter, bool OpenByHand = false)
    {
        public string? Assignee => Csm switch { "Dana Lee" => "dana@acme.test", "Sam Roe" => "sam@acme.test", _ => null };
        public bool Detractor => Score <= 6;
        public bool HasFollowUp => Detractor || OpenByHand;
        public bool FollowedUp => NextScore is not null && TouchAfter is { } t && t <= NextAfter;
    }

    const int SlaHours = 24;

    static readonly Case[] Cases =
    [
        new("u1", "Dana Lee", 2, 5, false, true, 9, 72),
        new("u2", "Dana Lee", 0, 30, true, false, 8, 96),
        new("u3", "Dana Lee", 4, null, false, false, 3, 48),
        new("u4", "Sam Roe", 1, 60, false, false, 10, 40),
        new("u5", "Sam Roe", 6, 10, true, true, null, 0),
        new("u6", "Sam Roe", 3, 1, false, false, 2, 50),
        new("u7", null, 5, null, false, false, null, 0),
        new("u8", "Dana Lee", 9, null, false, false, null, 0),
        new("u9", "Sam Roe", 7, 2, false, false, null, 0, OpenByHand: true),
        new("u10", "Dana Lee", 3, 20, false, true, 6, 30),
    ];

    static readonly DateTimeOffset End = PulseFactory.DefaultNow.AddHours(200);

    [SetUp]
    public async Task WriteTheHistory()
    {
        App.AddMember(Workspace.WorkspaceId, "dana@acme.test", Roles.Analyst);
        App.AddMember(Workspace.WorkspaceId, "sam@acme.test", Roles.Analyst);
        await (await Key.PutAsync("/v1/follow-ups/settings", Json.Body($$"""
            {"slaHours":{{SlaHours}},"assignmentRules":[
              {"when":[{"trait":"csm","op":"eq","value":"Dana Lee"}],"assignee":"dana@acme.test"},
              {"when":[{"trait":"csm","op":"eq","value":"Sam Roe"}],"assignee":"sam@acme.test"}]}
            """))).ReadJson<FollowUpSettings>();

        var start = App.Time.GetUtcNow();
        var followUps = new Dictionary<string, string>();
        var later = new List<(DateTimeOffset At, Func<Task> Do)>();
        foreach (var c in Cases)
        {
            var traits = c.Csm is null ? "{}" : JsonSerializer.Serialize(new { csm = c.Csm });
            var responseId = await Answer(c.User, c.Score, traits);
            if (c.OpenByHand)
                await (await Key.PostAsync("/v1/follow-ups", Json.Of(new { responseId, assignee = c.Assignee }))).ReadJson<FollowUpItem>(201);
            var opened = App.Time.GetUtcNow();
            if (c.HasFollowUp)
                followUps[c.User] = (await (await Key.GetAsync("/v1/follow-ups?limit=200")).ReadJson<FollowUpPage>()).Items.Single(f => f.Response.Id == responseId).Id;
            if (c.TouchAfter is { } touch)
            {
                var id = followUps[c.User];
                later.Add((opened.AddHours(touch), c.ByStatus
                    ? async () => await (await Key.PatchAsync($"/v1/follow-ups/{id}", Json.Body("""{"status":"in_progress"}"""))).ReadJson<FollowUpItem>()
                    : async () => await (await Key.PostAsync($"/v1/follow-ups/{id}/notes", Json.Of(new { text = "Called them." }))).ReadJson<FollowUpItem>(201)));
                if (c.Close)
                    later.Add((opened.AddHours(touch + 1), async () =>
                        await (await Key.PatchAsync($"/v1/follow-ups/{id}", Json.Body("""{"status":"closed","outcome":"resolved"}"""))).ReadJson<FollowUpItem>()));
            }
            if (c.NextScore is { } next)
                later.Add((opened.AddHours(c.NextAfter), async () => await Answer(c.User, next, traits)));
            App.Time.Advance(TimeSpan.FromMinutes(1));
        }
        foreach (var (at, run) in later.OrderBy(l => l.At))
        {
            App.Time.SetUtcNow(at);
            await run();
        }
        App.Time.SetUtcNow(End);
        Assert.That(start.AddHours(1), Is.LessThan(later.Min(l => l.At)), "the range of the first answers holds none of the later ones");
    }

    const string Range = "from=2026-03-02T12:00:00Z&to=2026-03-02T13:00:00Z";

    async Task<JsonElement> Metrics(string query) =>
        await (await Key.GetAsync($"/v1/metrics/follow-ups?{Range}{query}")).ReadJson<JsonElement>();

    /// <summary>The q-quantile the textbook way: sort, position q·(n−1), blend the neighbours.</summary>
    static double? Quantile(IEnumerable<double> values, double q)
    {
        var v = values.OrderBy(x => x).ToArray();
        if (v.Length == 0)
            return null;
        var pos = q * (v.Length - 1);
        var lo = (int)pos;
        var frac = pos - lo;
        return lo + 1 < v.Length ? v[lo] * (1 - frac) + v[lo + 1] * frac : v[lo];
    }

    static void AssertShare(JsonElement share, int count, int of, string what)
    {
        Assert.That(share.GetProperty("count").GetInt64(), Is.EqualTo(count), what + " count");
        Assert.That(share.GetProperty("of").GetInt64(), Is.EqualTo(of), what + " of");
        if (of == 0)
        {
            Assert.That(share.GetProperty("rate").ValueKind, Is.EqualTo(JsonValueKind.Null), what);
            return;
        }
        var p = (double)count / of;
        var half = 1.96 * Math.Sqrt(p * (1 - p) / of);
        Assert.That(share.GetProperty("rate").GetDouble(), Is.EqualTo(p).Within(0.00006), what + " rate");
        Assert.That(share.GetProperty("low").GetDouble(), Is.EqualTo(Math.Max(0, p - half)).Within(0.00006), what + " low");
        Assert.That(share.GetProperty("high").GetDouble(), Is.EqualTo(Math.Min(1, p + half)).Within(0.00006), what + " high");
        Assert.That(share.GetProperty("lowSample").GetBoolean(), Is.EqualTo(of < 30), what + " lowSample");
    }

    /// <summary>Every statistic of <paramref name="stats"/> against the cases, computed from the table.</summary>
    static void AssertStats(JsonElement stats, IReadOnlyList<Case> cases, string what)
    {
        var withFollowUp = cases.Where(c => c.HasFollowUp).ToList();
        var touchHours = withFollowUp.Where(c => c.TouchAfter is not null).Select(c => c.TouchAfter!.Value).ToList();
        // Every detractor's SLA has passed by the time of the request (200 h later), so all count.
        var detractors = cases.Where(c => c.Detractor).ToList();
        var again = detractors.Where(c => c.NextScore is not null).ToList();
        var followed = again.Where(c => c.FollowedUp).ToList();
        var notFollowed = again.Where(c => !c.FollowedUp).ToList();
        Assert.That(stats.GetProperty("followUps").GetInt64(), Is.EqualTo(withFollowUp.Count), what);
        Assert.That(stats.GetProperty("touched").GetInt64(), Is.EqualTo(touchHours.Count), what);
        var times = stats.GetProperty("timeToFirstTouch");
        if (touchHours.Count == 0)
            Assert.That(times.GetProperty("medianHours").ValueKind, Is.EqualTo(JsonValueKind.Null), what);
        else
        {
            Assert.That(times.GetProperty("medianHours").GetDouble(), Is.EqualTo(Quantile(touchHours, 0.5)!.Value).Within(0.051), what + " median");
            Assert.That(times.GetProperty("p90Hours").GetDouble(), Is.EqualTo(Quantile(touchHours, 0.9)!.Value).Within(0.051), what + " p90");
        }
        AssertShare(stats.GetProperty("touchedWithinSla"), detractors.Count(c => c.TouchAfter <= SlaHours), detractors.Count, what + " SLA");
        AssertShare(stats.GetProperty("closed"), withFollowUp.Count(c => c.Close), withFollowUp.Count, what + " closed");
        AssertShare(stats.GetProperty("recovery").GetProperty("followedUp"), followed.Count(c => c.NextScore >= 7), followed.Count, what + " recovered (followed up)");
        AssertShare(stats.GetProperty("recovery").GetProperty("notFollowedUp"), notFollowed.Count(c => c.NextScore >= 7), notFollowed.Count, what + " recovered (not followed up)");
    }

    [Test]
    public async Task Headline_MatchesTheHistoryComputedIndependently()
    {
        var report = await Metrics("");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.GetProperty("slaHours").GetInt32(), Is.EqualTo(SlaHours));
            AssertStats(report, Cases, "all");
            // The table is chosen so the comparison says something: both recovery arms have answers.
            Assert.That(Cases.Count(c => c.Detractor && c.FollowedUp), Is.GreaterThan(1));
            Assert.That(Cases.Count(c => c.Detractor && c.NextScore is not null && !c.FollowedUp), Is.GreaterThan(1));
        }
    }

    [Test]
    public async Task GroupedByAssigneeAndByTrait_EachGroupMatches()
    {
        var byAssignee = await Metrics("&groupBy=assignee");
        var byCsm = await Metrics("&groupBy=csm");
        var filtered = await Metrics("&where%5Bcsm%5D=Sam%20Roe");
        using (Assert.EnterMultipleScope())
        {
            var groups = byAssignee.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("value").GetString()!);
            Assert.That(groups.Keys, Is.EquivalentTo(new[] { "dana@acme.test", "sam@acme.test", "none" }));
            foreach (var (value, group) in groups)
                AssertStats(group, Cases.Where(c => (c.Assignee ?? "none") == value).ToList(), "assignee " + value);
            var csm = byCsm.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("value").GetString()!);
            Assert.That(csm.Keys, Is.EquivalentTo(new[] { "Dana Lee", "Sam Roe" }), "no csm: no group, as in the NPS metrics");
            foreach (var (value, group) in csm)
                AssertStats(group, Cases.Where(c => c.Csm == value).ToList(), "csm " + value);
            AssertStats(filtered, Cases.Where(c => c.Csm == "Sam Roe").ToList(), "where csm");
            Assert.That(filtered.GetProperty("groups").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }
    }

    [TestCase("groupBy=a%22b", "groupBy")]
    [TestCase("from=yesterday", "from")]
    [TestCase("surveyId=srv_nope", null)]
    public async Task BadQuery_IsAProblem(string query, string? field)
    {
        var answer = await Key.GetAsync($"/v1/metrics/follow-ups?{query}");
        var problem = await answer.AssertProblem(field is null ? 404 : 400);
        if (field is not null)
            Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.GetRawText());
    }
}
