using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Displays;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Users;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// The score distribution and the reasons report from aggregates (decisions S1–S3): over ranges with whole-day
/// and partial-day edges, with filters, the HTTP answers equal a LINQ count of the seeded rows and the raw
/// computation on the same database; after score and reason updates and an erasure they still equal the raw
/// computation, and the tables the hooks maintained equal their rebuild. Tampering with an aggregate row changes
/// the answer, so the aggregate path is the one compared.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class ScoreReasonAggregateTests(StorageProvider provider)
{
    static readonly DateTimeOffset DataFrom = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset Today = new(2026, 1, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Before noon UTC, 37 minutes into the hour: the default range ends in a part of an hour of a busy morning.</summary>
    static readonly DateTimeOffset Now = new(2026, 1, 31, 9, 37, 12, 345, TimeSpan.Zero);

    static readonly string[] DetractorReasons = ["price", "slow", "missing", "other"];
    static readonly string[] OtherReasons = ["support", "docs"];

    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    CreatedWorkspace _beta = null!;
    HttpClient _http = null!;
    HttpClient _betaHttp = null!;
    List<(Seeded Row, ChosenReasons Reasons)> _rows = null!;
    List<(Seeded Row, Display Display)> _betaRows = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory(new Dictionary<string, string?> { ["Analytics:PairTraits"] = "plan, role, locale" }, provider: provider);
        _ = _app.Server;
        _acme = _app.CreateWorkspace("Acme", ["https://app.acme.test"]);
        _beta = _app.CreateWorkspace("Beta", ["https://app.beta.test"]);
        _http = _app.SecretClient(_acme.SecretKey);
        _betaHttp = _app.SecretClient(_beta.SecretKey);
        var accounts = NpsFakers.Accounts(2101).Generate(12);
        var users = NpsFakers.Users(2102, accounts).Generate(90);
        var month = NpsFakers.Showings(2103, users, DataFrom, Today).Generate(300);
        var busyMorning = NpsFakers.Showings(2104, users, Today, Now.AddMinutes(-1)).Generate(300);
        _rows = (await SeedAsync(_acme.WorkspaceId, month.Concat(busyMorning))).Select(s => (s.Row, s.Reasons)).ToList();
        var betaUsers = NpsFakers.Users(2105, accounts).Generate(20);
        var betaShowings = NpsFakers.Showings(2106, betaUsers, DataFrom, Today).Generate(150)
            .Concat(NpsFakers.Showings(2107, betaUsers, Today, Now.AddMinutes(-1)).Generate(60));
        _betaRows = (await SeedAsync(_beta.WorkspaceId, betaShowings))
            .Select(s => (s.Row, s.Display)).ToList();
        _app.Time.AdjustTime(Now);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _betaHttp.Dispose();
        _app.Dispose();
    }

    /// <summary>The reasons of the n-th answer: detractors one or two of theirs, others now and then one of theirs, some none.</summary>
    static ChosenReasons ReasonsOf(int n, string category)
    {
        if (n % 5 == 0)
            return ChosenReasons.None;
        var ids = category == "detractor"
            ? new[] { DetractorReasons[n % 4], DetractorReasons[(n / 4) % 4] }.Distinct()
            : n % 3 == 0 ? [] : [OtherReasons[n % 2]];
        var sorted = ids.Order(StringComparer.Ordinal).ToList();
        return sorted.Count == 0 ? ChosenReasons.None : new ChosenReasons(sorted, sorted.Contains("other") ? "Something else" : null);
    }

    async Task<List<(Seeded Row, Display Display, ChosenReasons Reasons)>> SeedAsync(string workspaceId, IEnumerable<FakeShowing> showings)
    {
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        var displayHooks = _app.Services.GetRequiredService<DisplayHooks>();
        var responseHooks = _app.Services.GetRequiredService<ResponseHooks>();
        string surveyId;
        using (var c = _app.Db.Open())
            surveyId = TestData.SurveyId(c, null, workspaceId);
        var result = new List<(Seeded, Display, ChosenReasons)>();
        var n = 0;
        foreach (var chunk in showings.OrderBy(s => s.ShownAt).Chunk(200))
            result.AddRange(await writer.ExecuteAsync((c, tx) => chunk.Select(s =>
            {
                var shownAt = s.ShownAt.ToUnixTimeMilliseconds();
                var traits = JsonSerializer.Serialize(s.User.Traits());
                var (display, token) = DisplayStore.Show(c, tx, displayHooks, workspaceId, surveyId,
                    new UserSighting(s.User.UserId, s.User.Email, null, traits, shownAt), TimeSpan.FromDays(7), s.User.Email, traits, s.Locale, s.Url);
                if (s.Score is not { } score)
                    return (new Seeded(s, surveyId, display.Id, token, null, shownAt, null), display, ChosenReasons.None);
                var at = shownAt + (long)s.AnswerAfter.TotalMilliseconds;
                var reasons = ReasonsOf(n++, NpsCategory.Of(score));
                var saved = ResponseStore.Save(c, tx, display, new ResponseChange(score, false, null, false, null) { Reasons = reasons }, at, responseHooks)!;
                return (new Seeded(s, surveyId, display.Id, token, saved.Response.ResponseId, shownAt, at), display, reasons);
            }).ToList()));
        return result;
    }

    static string Url(string path, string query, string? from, string? to) =>
        path + "?" + (query + (from is null ? "" : "&from=" + Uri.EscapeDataString(from)) + (to is null ? "" : "&to=" + Uri.EscapeDataString(to))).TrimStart('&');

    static (long From, long To) Range(string? from, string? to)
    {
        var toMs = to is null ? Now.ToUnixTimeMilliseconds() : DateTimeOffset.Parse(to, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var fromMs = from is null ? toMs - 90 * TimeBuckets.DayMs : DateTimeOffset.Parse(from, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        return (fromMs, toMs);
    }

    static Dictionary<string, string> Filters(string query) =>
        query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('='))
            .Where(p => p[0].StartsWith("where[", StringComparison.Ordinal)).ToDictionary(p => p[0][6..^1], p => p[1]);

    /// <summary>The raw computation of the store over the same database (the fallback path the aggregates must equal).</summary>
    long[] RawScores(string surveyId, long from, long to, IReadOnlyDictionary<string, string> where)
    {
        using var c = _app.Db.Open();
        return ScoreDistributionStore.CountRaw(c, [surveyId], from, to,
            where.ToDictionary(kv => DisplayFields.KeyOf(kv.Key), kv => kv.Value, StringComparer.Ordinal));
    }

    // query (where[...] filters), from, to (null: the default range, 90 days to now)
    [TestCase("", null, null)]
    [TestCase("", "2026-01-05T00:00:00Z", "2026-01-20T00:00:00Z")]
    [TestCase("", "2026-01-10T08:20:00Z", "2026-01-31T07:45:30Z")]
    [TestCase("", "2026-01-31T02:10:00Z", "2026-01-31T02:50:00Z")]
    [TestCase("", "2026-01-30T21:00:00Z", "2026-01-31T04:15:00Z")]
    [TestCase("where[plan]=premium", null, null)]
    [TestCase("where[locale]=de-AT", "2026-01-12T03:00:00Z", "2026-01-31T05:00:00Z")]
    [TestCase("where[plan]=premium&where[role]=admin", null, null)]
    [TestCase("where[plan]=premium&where[role]=admin", "2026-01-10T08:20:00Z", "2026-01-31T07:45:30Z")]
    [TestCase("where[plan]=premium&where[industry]=Retail", null, null)]
    public async Task ScoreDistribution_EqualsTheRawRows(string query, string? from, string? to)
    {
        var url = Url("/v1/metrics/scores", query, from, to);
        var response = await _http.GetAsync(url);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), url + "\n" + await response.Content.ReadAsStringAsync());
        var answer = await response.ReadJson<ScoreDistributionResponse>();

        var (fromMs, toMs) = Range(from, to);
        var filters = Filters(query);
        var rows = _rows.Select(r => r.Row)
            .Where(r => r.AnsweredAt is { } at && at >= fromMs && at < toMs && filters.All(f => Expected.Trait(r, f.Key) == f.Value || (f.Key == "locale" && r.Showing.Locale == f.Value)))
            .ToList();
        var expected = Enumerable.Range(0, 11).Select(s => (long)rows.Count(r => r.Showing.Score == s)).ToList();
        Assert.That(rows, Is.Not.Empty, "answers in the range");
        Assert.That(answer.Counts, Is.EqualTo(expected), url + " (LINQ)");
        Assert.That(answer.Counts, Is.EqualTo(RawScores(_rows[0].Row.SurveyId, fromMs, toMs, filters)), url + " (raw rows)");
        Assert.That(answer.Responses, Is.EqualTo(expected.Sum()));
    }

    [TestCase(null, null, null)]
    [TestCase("detractor", null, null)]
    [TestCase(null, "2026-01-05T00:00:00Z", "2026-01-20T00:00:00Z")]
    [TestCase("passive", "2026-01-10T08:20:00Z", "2026-01-31T07:45:30Z")]
    [TestCase(null, "2026-01-30T21:00:00Z", "2026-01-31T04:15:00Z")]
    public async Task Reasons_EqualTheRawRows(string? category, string? from, string? to)
    {
        var url = Url("/v1/metrics/reasons", category is null ? "" : "category=" + category, from, to);
        var response = await _http.GetAsync(url);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), url + "\n" + await response.Content.ReadAsStringAsync());
        var answer = await response.ReadJson<JsonElement>();

        var (fromMs, toMs) = Range(from, to);
        long Respondents(long f, long t) => _rows.LongCount(r => r.Row.AnsweredAt is { } at && at >= f && at < t
            && (category is null || r.Row.Category == category) && r.Reasons.Ids.Count > 0);
        Assert.That(answer.GetProperty("respondents").GetInt64(), Is.EqualTo(Respondents(fromMs, toMs)).And.GreaterThan(0), url + " (LINQ)");
        Assert.That(answer.GetProperty("previousRespondents").GetInt64(), Is.EqualTo(Respondents(2 * fromMs - toMs, fromMs)), url + " (LINQ)");
        var counts = _rows.Where(r => r.Row.AnsweredAt is { } at && at >= fromMs && at < toMs && (category is null || r.Row.Category == category))
            .SelectMany(r => r.Reasons.Ids).GroupBy(id => id).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.That(answer.GetProperty("reasons").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("count").GetInt64()),
            Is.EquivalentTo(counts), url + " (LINQ)");
        AssertReasonsEqualRaw(_rows[0].Row.SurveyId, category, fromMs, toMs);
    }

    /// <summary>The store's report from the aggregates equals its report from raw rows, field by field.</summary>
    void AssertReasonsEqualRaw(string surveyId, string? category, long from, long to)
    {
        var store = _app.Services.GetRequiredService<ReasonsStore>();
        var q = new ReasonsQuery([surveyId], from, to, category, new Dictionary<string, string>(), null);
        var labels = new Dictionary<string, string>();
        var aggregated = JsonSerializer.Serialize(store.Read(q, labels, aggregates: true));
        var raw = JsonSerializer.Serialize(store.Read(q, labels, aggregates: false));
        Assert.That(aggregated, Is.EqualTo(raw), $"reasons {category} {from}..{to}");
    }

    [Test]
    public async Task TheScores_AndReasons_AreReadFromTheAggregates()
    {
        // Moving answers between two score columns of a whole day, and adding to a reason of a day row, changes
        // the answers by exactly that: the aggregate rows are what the endpoints read.
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        var surveyId = _rows[0].Row.SurveyId;
        var day = new DateTimeOffset(2026, 1, 20, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() / TimeBuckets.DayMs;
        var scoresBefore = await (await _http.GetAsync("/v1/metrics/scores")).ReadJson<ScoreDistributionResponse>();
        var reasonsBefore = await (await _http.GetAsync("/v1/metrics/reasons")).ReadJson<JsonElement>();
        const string moveScore = "UPDATE nps_daily SET s0 = s0 + @N, s10 = s10 - @N WHERE survey_id = @SurveyId AND trait_key = '' AND day = @Day";
        const string addReason = "UPDATE reason_daily SET answers = answers + @N WHERE survey_id = @SurveyId AND day = @Day AND reason_id = ''";
        var changed = await writer.ExecuteAsync((c, tx) =>
            c.Execute(moveScore, new { N = 1, SurveyId = surveyId, Day = day }, tx) + c.Execute(addReason, new { N = 1, SurveyId = surveyId, Day = day }, tx));
        Assert.That(changed, Is.GreaterThanOrEqualTo(2), "rows of that day");
        try
        {
            var scoresAfter = await (await _http.GetAsync("/v1/metrics/scores")).ReadJson<ScoreDistributionResponse>();
            var reasonsAfter = await (await _http.GetAsync("/v1/metrics/reasons")).ReadJson<JsonElement>();
            Assert.That(scoresAfter.Counts[0], Is.EqualTo(scoresBefore.Counts[0] + 1));
            Assert.That(scoresAfter.Counts[10], Is.EqualTo(scoresBefore.Counts[10] - 1));
            Assert.That(reasonsAfter.GetProperty("respondents").GetInt64(), Is.GreaterThan(reasonsBefore.GetProperty("respondents").GetInt64()));
        }
        finally
        {
            await writer.ExecuteAsync((c, tx) =>
                c.Execute(moveScore, new { N = -1, SurveyId = surveyId, Day = day }, tx) + c.Execute(addReason, new { N = -1, SurveyId = surveyId, Day = day }, tx));
        }
    }

    /// <summary>Every aggregate row with its score counters, and every reason row.</summary>
    const string Dump = """
        SELECT 'd|' || survey_id || '|' || trait_key || '|' || day || '|' || trait_value || '|' || s0 || ',' || s1 || ',' || s2 || ',' || s3 || ',' || s4
               || ',' || s5 || ',' || s6 || ',' || s7 || ',' || s8 || ',' || s9 || ',' || s10 || '|' || promoters || '|' || detractors FROM nps_daily
        UNION ALL
        SELECT 'h|' || survey_id || '|' || trait_key || '|' || hour || '|' || trait_value || '|' || s0 || ',' || s1 || ',' || s2 || ',' || s3 || ',' || s4
               || ',' || s5 || ',' || s6 || ',' || s7 || ',' || s8 || ',' || s9 || ',' || s10 || '|' || promoters || '|' || detractors FROM nps_hourly
        UNION ALL
        SELECT 'pd|' || survey_id || '|' || key_a || '|' || key_b || '|' || day || '|' || value_a || '|' || value_b || '|' || s0 || ',' || s1 || ',' || s2
               || ',' || s3 || ',' || s4 || ',' || s5 || ',' || s6 || ',' || s7 || ',' || s8 || ',' || s9 || ',' || s10 FROM nps_pair_daily
        UNION ALL
        SELECT 'ph|' || survey_id || '|' || key_a || '|' || key_b || '|' || hour || '|' || value_a || '|' || value_b || '|' || s0 || ',' || s1 || ',' || s2
               || ',' || s3 || ',' || s4 || ',' || s5 || ',' || s6 || ',' || s7 || ',' || s8 || ',' || s9 || ',' || s10 FROM nps_pair_hourly
        UNION ALL
        SELECT 'rd|' || survey_id || '|' || day || '|' || category || '|' || reason_id || '|' || answers FROM reason_daily
        UNION ALL
        SELECT 'rh|' || survey_id || '|' || hour || '|' || category || '|' || reason_id || '|' || answers FROM reason_hourly
        ORDER BY 1
        """;

    [Test]
    public async Task AfterUpdates_AndAnErasure_TheAnswersEqualTheRawRows_AndTheTablesTheirRebuild()
    {
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        var hooks = _app.Services.GetRequiredService<ResponseHooks>();
        var surveyId = _betaRows[0].Row.SurveyId;
        var answered = _betaRows.Where(r => r.Row.ResponseId is not null).ToList();
        var today = answered.Where(r => r.Row.AnsweredAt >= Today.ToUnixTimeMilliseconds()).ToList();
        Assert.That(today, Has.Count.GreaterThan(3), "answers in the edge day");

        // Scores that move (some across categories, dropping reasons), reasons that change, a whole day and a part-hour answer among them.
        var updates = answered.Take(6).Concat(today.TakeLast(3)).ToList();
        await writer.ExecuteAsync((c, tx) =>
        {
            var i = 0;
            foreach (var (row, display) in updates)
            {
                var score = (row.Showing.Score!.Value + 1 + i % 10) % 11;
                var reasons = i++ % 2 == 0 ? new ChosenReasons(["price", "slow"], null) : null;
                var change = new ResponseChange(score, false, null, false, null) { Reasons = reasons };
                Assert.That(ResponseStore.Save(c, tx, display, change, Now.ToUnixTimeMilliseconds(), hooks)!.Changed, Is.True);
            }
            return 0;
        });
        // A change of reasons only, same score.
        var (same, sameDisplay) = answered[7];
        await writer.ExecuteAsync((c, tx) => ResponseStore.Save(c, tx, sameDisplay,
            new ResponseChange(same.Showing.Score!.Value, false, null, false, null) { Reasons = new ChosenReasons(["docs", "other"], "Because") },
            Now.ToUnixTimeMilliseconds(), hooks));
        // The erasure of a user with answers today and before.
        var erased = today[0].Row.Showing.User.UserId;
        Assert.That(answered.Count(r => r.Row.Showing.User.UserId == erased), Is.GreaterThan(1));
        var privacy = _app.Services.GetRequiredService<PrivacyHooks>();
        Assert.That(await writer.ExecuteAsync((c, tx) => PrivacyStore.Erase(c, tx, _beta.WorkspaceId, erased, privacy)), Is.True);

        foreach (var (from, to) in new[] { Range(null, null), Range("2026-01-10T08:20:00Z", "2026-01-31T07:45:30Z"), Range("2026-01-30T21:00:00Z", null) })
        {
            var url = $"/v1/metrics/scores?from={Uri.EscapeDataString(Iso(from))}&to={Uri.EscapeDataString(Iso(to))}";
            var answer = await (await _betaHttp.GetAsync(url)).ReadJson<ScoreDistributionResponse>();
            Assert.That(answer.Counts, Is.EqualTo(RawScores(surveyId, from, to, new Dictionary<string, string>())), url);
            var filtered = await (await _betaHttp.GetAsync(url + "&where[plan]=premium")).ReadJson<ScoreDistributionResponse>();
            Assert.That(filtered.Counts, Is.EqualTo(RawScores(surveyId, from, to, new Dictionary<string, string> { ["plan"] = "premium" })), url + " plan");
            AssertReasonsEqualRaw(surveyId, null, from, to);
            AssertReasonsEqualRaw(surveyId, "detractor", from, to);
        }

        var (maintained, recomputed) = await Recomputation.Of(_app, Dump, NpsAggregateHook.Rebuild);
        Assert.That(maintained.Count(r => r.StartsWith("rd|", StringComparison.Ordinal)), Is.GreaterThan(20));
        Assert.That(maintained, Is.EqualTo(recomputed));
        using var db = _app.Db.Open();
        Assert.That(db.ExecuteScalar<long>("SELECT count(*) FROM reason_daily WHERE answers = 0"), Is.Zero, "rows left at zero are deleted");
    }

    static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
