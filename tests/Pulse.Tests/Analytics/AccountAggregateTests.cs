using System.Globalization;
using System.Text.Json;
using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// <c>GET /v1/accounts</c> from the accounts aggregates (decisions AC1–AC4) equals the raw computation it replaces —
/// <see cref="AccountStore.List"/> with <c>aggregates: false</c>, raw responses ⨝ displays and the daily aggregates —
/// for the default range that ends now in a busy morning, first days cut early and late in the day, sorts,
/// quadrants and bands, after a score update and an erasure; the tables the hook maintained equal their rebuild.
/// Each case also checks that the aggregates answered it (a fallback to the raw path would compare raw with raw).
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class AccountAggregateTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";
    static readonly DateTimeOffset DataFrom = new(2025, 10, 20, 0, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset Today = new(2026, 1, 31, 0, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset Now = new(2026, 1, 31, 9, 37, 12, 345, TimeSpan.Zero);

    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    HttpClient _http = null!;
    HttpClient _browser = null!;
    List<Seeded> _rows = null!;
    string _surveyId = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory(provider: provider);
        _app.StartKestrel();
        _acme = _app.CreateWorkspace("Acme", [Origin]);
        _http = _app.SecretClient(_acme.SecretKey);
        _browser = _app.BrowserClient(Origin);
        var accounts = NpsFakers.Accounts(2201).Generate(14);
        var users = NpsFakers.Users(2202, accounts).Generate(70);
        // Over 100 days, so the default range's first day and the health windows (90 and 180 days) cut through data.
        var months = NpsFakers.Showings(2203, users, DataFrom, Today).Generate(500);
        var busyMorning = NpsFakers.Showings(2204, users, Today, Now.AddMinutes(-30)).Generate(150);
        var seed = new AnalyticsSeed(_app);
        // Answers come before now: the aggregates answer ranges that end after the last answer (AC2).
        _rows = await seed.AddAsync(_acme.WorkspaceId, months.Concat(busyMorning).Where(s => s.Score is null || s.ShownAt + s.AnswerAfter < Now));
        _surveyId = seed.SurveyOf(_acme.WorkspaceId);
        _app.Time.AdjustTime(Now);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _browser.Dispose();
        _app.Dispose();
    }

    AccountQuery Query(long from, string sort = "arr", bool descending = true, int limit = 100, string? quadrant = null, string? band = null,
        Dictionary<string, string>? where = null, long? to = null) =>
        new([_surveyId], from, to ?? Now.ToUnixTimeMilliseconds(), where ?? [], null, 0, quadrant, sort, descending, limit,
            _acme.WorkspaceId, band, Now.ToUnixTimeMilliseconds());

    static long Ms(string at) => DateTimeOffset.Parse(at, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    static readonly long DefaultFrom = Now.ToUnixTimeMilliseconds() - 90 * 86_400_000L;

    /// <summary>The aggregates answer the query, and exactly as the raw path does.</summary>
    void AssertAggregatesEqualRaw(AccountQuery q, string because)
    {
        var store = _app.Services.GetRequiredService<AccountStore>();
        using (var c = _app.Db.Open())
            Assert.That(store.FromAggregates(c, q), Is.Not.Null, because + ": answered by the aggregates");
        var aggregated = store.List(q);
        var raw = store.List(q, aggregates: false);
        if (q.Quadrant is null && q.Band is null)
            Assert.That(raw.Items, Has.Count.GreaterThanOrEqualTo(Math.Min(q.Limit, 6)), because);
        Assert.That(JsonSerializer.Serialize(aggregated), Is.EqualTo(JsonSerializer.Serialize(raw)), because);
    }

    [TestCase(null, "the default range: its first day cut at 09:37")]
    [TestCase("2025-12-01T00:00:00Z", "from a midnight")]
    [TestCase("2025-12-01T03:10:00Z", "early in the first day: its part before from taken away")]
    [TestCase("2025-12-01T20:45:00.123Z", "late in the first day: its part from from added")]
    [TestCase("2026-01-31T04:00:00Z", "from inside today")]
    [TestCase("2025-01-01T00:00:00Z", "from before the first answer")]
    public void TheAggregates_EqualTheRawPath(string? from, string because)
    {
        var q = Query(from is null ? DefaultFrom : Ms(from));
        AssertAggregatesEqualRaw(q, because);
    }

    /// <summary>
    /// <c>/v1/metrics/nps?groupBy=accountId</c> from the running totals (decision AC6) equals the same report from the day
    /// rows, and the running totals answered it.
    /// </summary>
    void AssertAccountGroupsEqualDayRows(long from, string because, long? until = null)
    {
        var store = _app.Services.GetRequiredService<MetricsStore>();
        var to = until ?? Now.ToUnixTimeMilliseconds();
        var q = new MetricsQuery([_surveyId], from, to, null, TimeZoneInfo.Utc, "accountId", new Dictionary<string, string>());
        var buckets = TimeBuckets.Split(from, to, null, TimeZoneInfo.Utc)!;
        using (var c = _app.Db.Open())
            Assert.That(store.AccountGroups(c, q, buckets, TimeBuckets.Plan(buckets), TimeBuckets.Grain(buckets), "accountId"), Is.Not.Null,
                because + ": answered by the running totals");
        var fromTotals = store.Read(q, buckets);
        var fromDays = store.Read(q, buckets, accountTotals: false);
        Assert.That(fromDays.Groups, Has.Count.GreaterThanOrEqualTo(6), because);
        Assert.That(JsonSerializer.Serialize(fromTotals), Is.EqualTo(JsonSerializer.Serialize(fromDays)), because);
    }

    [TestCase(null, null, "the default range: its first day cut at 09:37")]
    [TestCase("2025-12-01T00:00:00Z", null, "from a midnight")]
    [TestCase("2025-12-01T03:10:00Z", null, "early in the first day")]
    [TestCase("2025-12-01T20:45:00.123Z", null, "late in the first day")]
    [TestCase("2026-01-31T04:00:00Z", null, "from inside today")]
    [TestCase("2025-01-01T00:00:00Z", null, "from before the first display")]
    [TestCase("2025-11-03T07:20:00Z", "2026-01-20T12:00:00Z", "a range ending in the past, before answers and displays")]
    [TestCase("2025-11-03T00:00:00Z", "2025-12-03T00:00:00Z", "whole days in the past")]
    [TestCase("2026-01-31T02:10:00Z", "2026-01-31T02:50:00Z", "forty minutes of today")]
    public void GroupsByAccount_FromTheRunningTotals_EqualTheDayRows(string? from, string? to, string because) =>
        AssertAccountGroupsEqualDayRows(from is null ? DefaultFrom : Ms(from), because, to is null ? null : Ms(to));

    [Test]
    public void GroupsByAccount_EqualTheSeededRowsCountedInLinq()
    {
        var report = _app.Services.GetRequiredService<MetricsStore>().Read(
            new MetricsQuery([_surveyId], DefaultFrom, Now.ToUnixTimeMilliseconds(), null, TimeZoneInfo.Utc, "accountId", new Dictionary<string, string>()),
            TimeBuckets.Split(DefaultFrom, Now.ToUnixTimeMilliseconds(), null, TimeZoneInfo.Utc)!);
        // The scores as stored now (another test of this fixture changes one), by display.
        Dictionary<long, int> scores;
        using (var c = _app.Db.Open())
            scores = c.Query<(long DisplayId, int Score)>("SELECT display_id AS DisplayId, score AS Score FROM responses").ToDictionary(r => r.DisplayId, r => r.Score);
        bool Answered(Seeded r, Func<int, bool> category) => r.AnsweredAt >= DefaultFrom && scores.TryGetValue(r.DisplayId, out var score) && category(score);
        var expected = _rows.Select(r => r.Showing.User.Account.AccountId).Distinct()
            .Select(account => (account,
                Displays: _rows.Count(r => r.Showing.User.Account.AccountId == account && r.ShownAt >= DefaultFrom),
                Promoters: _rows.Count(r => r.Showing.User.Account.AccountId == account && Answered(r, s => s >= 9)),
                Detractors: _rows.Count(r => r.Showing.User.Account.AccountId == account && Answered(r, s => s <= 6))))
            .Where(e => e.Displays > 0 || e.Promoters > 0 || e.Detractors > 0)
            .OrderBy(e => e.account, StringComparer.Ordinal).ToList();
        var got = report.Groups!.Select(g => (g.Value, g.Displays, g.Promoters, g.Detractors)).OrderBy(g => g.Value, StringComparer.Ordinal).ToList();
        Assert.That(got, Is.EqualTo(expected));
    }

    [Test]
    public void GroupsByAccount_WithASeriesOrAFilter_ReadTheDayRows()
    {
        var store = _app.Services.GetRequiredService<MetricsStore>();
        var now = Now.ToUnixTimeMilliseconds();
        using var c = _app.Db.Open();
        MetricsStore.Segments? Answer(Interval? interval = null, Dictionary<string, string>? where = null, string groupBy = "accountId")
        {
            var buckets = TimeBuckets.Split(DefaultFrom, now, interval, TimeZoneInfo.Utc)!;
            return store.AccountGroups(c, new MetricsQuery([_surveyId], DefaultFrom, now, interval, TimeZoneInfo.Utc, groupBy, where ?? []),
                buckets, TimeBuckets.Plan(buckets), TimeBuckets.Grain(buckets), groupBy);
        }
        Assert.That(Answer(), Is.Not.Null);
        Assert.That(Answer(Interval.Week), Is.Null, "a series");
        Assert.That(Answer(where: new() { ["plan"] = "premium" }), Is.Null, "a filter");
        Assert.That(Answer(groupBy: "accountName"), Is.Null, "another trait");
    }

    [Test]
    public async Task TheMetricsEndpoint_GroupsByAccountFromTheRunningTotals()
    {
        // Displays added to one account's running totals from 30 days ago on (in the day rows: nothing): the endpoint's
        // group shows them, so it read the totals.
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        var before = await (await _http.GetAsync("/v1/metrics/nps?groupBy=accountId")).ReadJson<NpsReport>();
        var group = before.Groups![0];
        const string bump = "UPDATE account_running SET displays = displays + @By WHERE account = @Account AND day >= @Day AND day < @Today";
        var bumped = new { Account = group.Value, By = 1000, Day = Today.AddDays(-30).ToUnixTimeMilliseconds() / 86_400_000, Today = Today.ToUnixTimeMilliseconds() / 86_400_000 };
        Assert.That(await writer.ExecuteAsync((c, tx) => c.Execute(bump, bumped, tx)), Is.GreaterThan(0));
        try
        {
            var after = await (await _http.GetAsync("/v1/metrics/nps?groupBy=accountId")).ReadJson<NpsReport>();
            var same = after.Groups!.Single(g => g.Value == group.Value);
            Assert.That(same.Displays, Is.EqualTo(group.Displays + 1000));
            Assert.That(same.Responses, Is.EqualTo(group.Responses));
            var series = await (await _http.GetAsync("/v1/metrics/nps?groupBy=accountId&interval=month")).ReadJson<NpsReport>();
            Assert.That(series.Groups!.Single(g => g.Value == group.Value).Displays, Is.EqualTo(group.Displays), "a series reads the day rows");
        }
        finally
        {
            await writer.ExecuteAsync((c, tx) => c.Execute(bump, bumped with { By = -1000 }, tx));
        }
    }

    [TestCase("nps", false, 100, null, null)]
    [TestCase("respondents", true, 5, null, null)]
    [TestCase("responses", true, 100, "champion", null)]
    [TestCase("health", false, 100, null, null)]
    [TestCase("accountName", true, 3, null, null)]
    [TestCase("accountId", false, 100, "monitor", null)]
    [TestCase("arr", true, 100, null, "watch")]
    public void SortsQuadrantsAndBands_EqualTheRawPath(string sort, bool descending, int limit, string? quadrant, string? band) =>
        AssertAggregatesEqualRaw(Query(DefaultFrom, sort, descending, limit, quadrant, band), $"{sort} {quadrant} {band}");

    [Test]
    public void AFilterOrARangeEndingBeforeTheLastAnswer_IsAnsweredFromRawRows()
    {
        var store = _app.Services.GetRequiredService<AccountStore>();
        using var c = _app.Db.Open();
        Assert.That(store.FromAggregates(c, Query(DefaultFrom)), Is.Not.Null);
        Assert.That(store.FromAggregates(c, Query(DefaultFrom, where: new() { ["plan"] = "premium" })), Is.Null);
        Assert.That(store.FromAggregates(c, Query(DefaultFrom, to: Ms("2026-01-20T12:00:00Z"))), Is.Null);
    }

    [Test]
    public async Task TheEndpoint_AnswersFromTheAggregates()
    {
        // A name changed in account_users only: the endpoint shows it, so it read the aggregates.
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        var before = await (await _http.GetAsync("/v1/accounts?sort=accountId")).ReadJson<AccountList>();
        var account = before.Items[0];
        const string rename = "UPDATE account_users SET name = @To WHERE account = @Account AND name = @From";
        var renamed = await writer.ExecuteAsync((c, tx) => c.Execute(rename, new { Account = account.AccountId, From = account.AccountName, To = "Renamed for the test" }, tx));
        Assert.That(renamed, Is.GreaterThan(0));
        try
        {
            var after = await (await _http.GetAsync("/v1/accounts?sort=accountId")).ReadJson<AccountList>();
            Assert.That(after.Items[0].AccountName, Is.EqualTo("Renamed for the test"));
            Assert.That(after.Items[0].Responses, Is.EqualTo(account.Responses));
        }
        finally
        {
            await writer.ExecuteAsync((c, tx) => c.Execute(rename, new { Account = account.AccountId, From = "Renamed for the test", To = account.AccountName }, tx));
        }
    }

    [Test]
    public async Task AfterAnUpdateAndAnErasure_TheAggregatesStillEqualTheRawPath_AndTheirRebuild()
    {
        // A promoter of this morning becomes a detractor.
        var row = _rows.First(r => r.Showing.Score is >= 9 && r.AnsweredAt is { } at && at >= Today.ToUnixTimeMilliseconds() && at < Now.AddMinutes(-40).ToUnixTimeMilliseconds());
        _app.Time.AdjustTime(DateTimeOffset.FromUnixTimeMilliseconds(row.AnsweredAt!.Value).AddMinutes(5));
        var post = await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = row.Token, score = 2 }));
        _app.Time.AdjustTime(Now);
        Assert.That((int)post.StatusCode, Is.EqualTo(200), await post.Content.ReadAsStringAsync());
        AssertAggregatesEqualRaw(Query(DefaultFrom), "after an update");
        AssertAccountGroupsEqualDayRows(DefaultFrom, "groups by account after an update");
        var account = row.Showing.User.Account.AccountId;
        var item = _app.Services.GetRequiredService<AccountStore>().List(Query(DefaultFrom, sort: "accountId", limit: 1000)).Items.Single(i => i.AccountId == account);
        var expected = _rows.Where(r => r.AnsweredAt >= DefaultFrom && r.Showing.User.Account.AccountId == account).ToList();
        Assert.That(item.Detractors, Is.EqualTo(expected.Count(r => r.Showing.Score <= 6) + 1), "the LINQ count of the seeded rows, with the update");

        // A user alone in an account of their own, answering twice, then erased.
        var lone = new FakeUser("u_lone_account", "lone@erase.test", "owner",
            new FakeAccount("acc_lone", "Lonely Widgets Ltd", 99_000, "enterprise", "Dana", "HR", "1-10"));
        await new AnalyticsSeed(_app).AddAsync(_acme.WorkspaceId,
        [
            new FakeShowing(lone, Now.AddDays(-20), 10, TimeSpan.FromSeconds(30), null, "en", Origin + "/a"),
            new FakeShowing(lone, Now.AddDays(-3), 4, TimeSpan.FromSeconds(30), null, "en", Origin + "/b"),
            new FakeShowing(lone, Now.AddHours(-2), null, TimeSpan.Zero, null, "en", Origin + "/c"),
        ]);
        var withLone = _app.Services.GetRequiredService<AccountStore>().List(Query(DefaultFrom, limit: 1000));
        Assert.That(withLone.Items.Single(i => i.AccountId == "acc_lone").Respondents, Is.EqualTo(1));
        AssertAggregatesEqualRaw(Query(DefaultFrom), "with the lone account");
        AssertAccountGroupsEqualDayRows(DefaultFrom, "groups by account with the lone account");
        await AssertTablesEqualTheirRebuild();

        (await _http.DeleteAsync("/v1/users/u_lone_account")).EnsureSuccessStatusCode();
        AssertAggregatesEqualRaw(Query(DefaultFrom), "after an erasure");
        AssertAccountGroupsEqualDayRows(DefaultFrom, "groups by account after an erasure");
        using (var c = _app.Db.Open())
        {
            Assert.That(c.ExecuteScalar<long>("SELECT count(*) FROM account_running WHERE account = 'acc_lone'"), Is.Zero, "no row of the erased account");
            Assert.That(c.ExecuteScalar<long>("SELECT count(*) FROM account_users WHERE account = 'acc_lone' OR user_id = 'u_lone_account'"), Is.Zero);
        }
        await AssertTablesEqualTheirRebuild();
    }

    [Test]
    public async Task TheMaintainedTables_EqualTheirRebuild() => await AssertTablesEqualTheirRebuild();

    async Task AssertTablesEqualTheirRebuild()
    {
        const string dump = """
            SELECT 'r|' || survey_id || '|' || account || '|' || day || '|' || displays || '|' || promoters || '|' || passives || '|' || detractors
            FROM account_running
            UNION ALL
            SELECT 'u|' || survey_id || '|' || account || '|' || user_id || '|' || last_at || '|' || coalesce(name, '-') || '|' || coalesce(arr, '-')
            FROM account_users
            ORDER BY 1
            """;
        var (maintained, recomputed) = await Recomputation.Of(_app, dump, AccountAggregates.Rebuild);
        Assert.That(maintained, Has.Count.GreaterThan(100));
        Assert.That(maintained, Is.EqualTo(recomputed));
    }
}
