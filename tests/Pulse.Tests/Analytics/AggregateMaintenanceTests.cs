using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>The aggregates follow updates and erasure, and equal a recomputation from the raw rows.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class AggregateMaintenanceTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";
    static readonly DateTimeOffset DataFrom = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset DataTo = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);

    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    HttpClient _http = null!;
    HttpClient _browser = null!;
    List<Seeded> _rows = null!;
    List<FakeUser> _users = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory(provider: provider);
        _app.StartKestrel();
        _acme = _app.CreateWorkspace("Acme", [Origin]);
        _http = _app.SecretClient(_acme.SecretKey);
        _browser = _app.BrowserClient(Origin);
        var accounts = NpsFakers.Accounts(801).Generate(10);
        _users = NpsFakers.Users(802, accounts).Generate(80);
        _rows = await new AnalyticsSeed(_app).AddAsync(_acme.WorkspaceId, NpsFakers.Showings(803, _users, DataFrom, DataTo).Generate(400));
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _browser.Dispose();
        _app.Dispose();
    }

    Task<NpsReport> Metrics(string extra = "") =>
        _http.GetAsync($"/v1/metrics/nps?from=2026-01-01&to=2026-01-31&interval=week{extra}").ContinueWith(t => t.Result.ReadJson<NpsReport>()).Unwrap();

    [Test]
    public async Task ScoreChangedOnUpdate_MovesTheCountToTheNewCategory_InTheSameBucketAndSegments()
    {
        var row = _rows.First(r => r.Showing.Score is >= 9 && r.AnsweredAt is not null);
        var plan = row.Showing.User.Account.Plan;
        var before = await Metrics("&groupBy=plan");

        _app.Time.AdjustTime(DateTimeOffset.FromUnixTimeMilliseconds(row.AnsweredAt!.Value).AddMinutes(5));
        var post = await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = row.Token, score = 3 }));
        Assert.That((int)post.StatusCode, Is.EqualTo(200), await post.Content.ReadAsStringAsync());
        var after = await Metrics("&groupBy=plan");

        var week = before.Series!.Select((p, i) => (p, i)).Single(x =>
            x.p.Start[..10] == Expected.PeriodStart(row.AnsweredAt!.Value, "week", TimeZoneInfo.Utc)).i;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(after.Promoters, Is.EqualTo(before.Promoters - 1));
            Assert.That(after.Detractors, Is.EqualTo(before.Detractors + 1));
            Assert.That(after.Responses, Is.EqualTo(before.Responses));
            Assert.That(after.Series![week].Detractors, Is.EqualTo(before.Series![week].Detractors + 1));
            Assert.That(after.Series[week].Promoters, Is.EqualTo(before.Series[week].Promoters - 1));
            var g0 = before.Groups!.Single(g => g.Value == plan);
            var g1 = after.Groups!.Single(g => g.Value == plan);
            Assert.That(g1.Detractors, Is.EqualTo(g0.Detractors + 1));
            Assert.That(g1.Nps, Is.LessThan(g0.Nps!.Value));
        }
        _rows[_rows.IndexOf(row)] = row with { Showing = row.Showing with { Score = 3 } };
        await AssertAggregatesEqualRecomputation();
    }

    [Test]
    public async Task Erasure_TakesTheUsersDisplaysAndResponsesOutOfEveryAggregate()
    {
        // A user alone in an account of their own: the account's trait values exist only through them.
        var lone = new FakeUser("u_lone_erasable", "lone@erase.test", "owner",
            new FakeAccount("acc_lone", "Lonely Widgets Ltd", 99_000, "enterprise", "Dana", "HR", "1-10"));
        await new AnalyticsSeed(_app).AddAsync(_acme.WorkspaceId,
        [
            new FakeShowing(lone, DataFrom.AddDays(5), 10, TimeSpan.FromSeconds(30), "love it", "en", "https://app.acme.test/a"),
            new FakeShowing(lone, DataFrom.AddDays(12), null, TimeSpan.Zero, null, "en", "https://app.acme.test/b"),
        ]);
        var with = await Metrics("&groupBy=accountName");
        Assert.That(with.Groups!.Select(g => g.Value), Does.Contain("Lonely Widgets Ltd"));

        (await _http.DeleteAsync("/v1/users/u_lone_erasable")).EnsureSuccessStatusCode();
        var without = await Metrics("&groupBy=accountName");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(without.Promoters, Is.EqualTo(with.Promoters - 1));
            Assert.That(without.Displays, Is.EqualTo(with.Displays - 2));
            Assert.That(without.Groups!.Select(g => g.Value), Does.Not.Contain("Lonely Widgets Ltd"));
            using var c = _app.Db.Open();
            Assert.That(c.ExecuteScalar<long>("SELECT count(*) FROM nps_daily WHERE trait_value IN ('Lonely Widgets Ltd', 'acc_lone', '99000')"), Is.Zero);
        }
        await AssertAggregatesEqualRecomputation();
    }

    [Test]
    public async Task Aggregates_EqualTheMigrationsRecomputationFromRawRows() => await AssertAggregatesEqualRecomputation();

    /// <summary>
    /// Rebuilds the aggregates with the backfills of migrations 0020 and 0090 inside a savepoint that is rolled
    /// back, and compares what it computes from displays and responses with what the hook maintained.
    /// </summary>
    async Task AssertAggregatesEqualRecomputation()
    {
        const string dump = """
            SELECT 'd' || survey_id || '|' || trait_key || '|' || day || '|' || trait_value || '|' || displays || '|' || promoters || '|' || passives || '|' || detractors FROM nps_daily
            UNION ALL
            SELECT 'h' || survey_id || '|' || trait_key || '|' || hour || '|' || trait_value || '|' || displays || '|' || promoters || '|' || passives || '|' || detractors FROM nps_hourly
            ORDER BY 1
            """;
        var (maintained, recomputed) = await Recomputation.Of(_app, dump, NpsAggregateHook.Rebuild);
        Assert.That(maintained, Has.Count.GreaterThan(100));
        Assert.That(maintained, Is.EqualTo(recomputed));
    }
}

/// <summary>
/// SQLite's migrations 0020, 0090 and 0130 backfill the aggregates of an older database. SQLite only:
/// PostgreSQL starts at the 0160 baseline (G3), so it has no database older than these.
/// </summary>
public sealed class AggregateMigrationTests
{
    /// <summary>A database migrated up to <paramref name="version"/> with workspace ws_1, survey srv_1 and user u1.</summary>
    static Microsoft.Data.Sqlite.SqliteConnection OldDatabase(TempDirectory dir, int version)
    {
        var c = (Microsoft.Data.Sqlite.SqliteConnection)new Db($"Data Source={dir.File("old.db")}", dir.Path).Open();
        Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow), upTo: version);
        c.Execute("""
            INSERT INTO workspaces (id, name, product_name, site_key, identity_secret, created_at, updated_at) VALUES ('ws_1', 'A', 'A', 'pk_1', 'ids', 1, 1);
            INSERT INTO surveys (id, workspace_id, name, created_at, updated_at) VALUES ('srv_1', 'ws_1', 'NPS', 1, 1);
            INSERT INTO end_users (workspace_id, user_id, first_seen_at, last_seen_at) VALUES ('ws_1', 'u1', 1, 1);
            """);
        return c;
    }

    [Test]
    public void Migration_OnADatabaseWithData_BackfillsTheAggregates()
    {
        using var dir = new TempDirectory();
        using var c = OldDatabase(dir, 19);
        c.Execute("""
            INSERT INTO displays (id, workspace_id, survey_id, user_id, token_hash, shown_at, expires_at, traits)
                VALUES (1, 'ws_1', 'srv_1', 'u1', x'01', 86400000 * 3 + 5, 86400000 * 10, '{"plan":"premium","beta":true,"seats":12,"tags":["a"]}'),
                       (2, 'ws_1', 'srv_1', 'u1', x'02', 86400000 * 3 + 7, 86400000 * 10, '{"plan":"free"}');
            INSERT INTO responses (display_id, workspace_id, survey_id, user_id, score, category, created_at, updated_at)
                VALUES (1, 'ws_1', 'srv_1', 'u1', 10, 'promoter', 86400000 * 4, 86400000 * 4);
            """);

        Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow));

        var rows = c.Query<(string Key, long Day, string Value, long Displays, long Promoters)>(
            "SELECT trait_key, day, trait_value, displays, promoters FROM nps_daily ORDER BY trait_key, day, trait_value").ToList();
        Assert.That(rows, Is.EqualTo(new[]
        {
            ("", 3L, "", 2L, 0L), ("", 4L, "", 0L, 1L),
            ("@channel", 3L, "in_app", 2L, 0L), ("@channel", 4L, "in_app", 0L, 1L),
            ("beta", 3L, "true", 1L, 0L), ("beta", 4L, "true", 0L, 1L),
            ("plan", 3L, "free", 1L, 0L), ("plan", 3L, "premium", 1L, 0L), ("plan", 4L, "premium", 0L, 1L),
            ("seats", 3L, "12", 1L, 0L), ("seats", 4L, "12", 0L, 1L),
        }));
    }

    [Test]
    public void Migration0090_OnADatabaseWithData_BackfillsTheLocaleRows()
    {
        using var dir = new TempDirectory();
        using var c = OldDatabase(dir, 89);
        c.Execute("""
            INSERT INTO displays (id, workspace_id, survey_id, user_id, token_hash, shown_at, expires_at, traits, locale)
                VALUES (1, 'ws_1', 'srv_1', 'u1', x'01', 86400000 * 3 + 5, 86400000 * 10, '{}', 'de'),
                       (2, 'ws_1', 'srv_1', 'u1', x'02', 86400000 * 3 + 7, 86400000 * 10, '{}', 'fr'),
                       (3, 'ws_1', 'srv_1', 'u1', x'03', 86400000 * 3 + 9, 86400000 * 10, '{}', NULL);
            INSERT INTO responses (display_id, workspace_id, survey_id, user_id, score, category, created_at, updated_at)
                VALUES (1, 'ws_1', 'srv_1', 'u1', 10, 'promoter', 86400000 * 4, 86400000 * 4);
            """);

        Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow));

        var rows = c.Query<(string Key, long Day, string Value, long Displays, long Promoters)>(
            "SELECT trait_key, day, trait_value, displays, promoters FROM nps_daily WHERE trait_key IN ('@locale', '@variant') ORDER BY trait_key, day, trait_value").ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows, Is.EqualTo(new[] { ("@locale", 3L, "de", 1L, 0L), ("@locale", 3L, "fr", 1L, 0L), ("@locale", 4L, "de", 0L, 1L) }));
            Assert.That(c.ExecuteScalar<string>("SELECT variants FROM surveys"), Is.EqualTo("[]"));
            Assert.That(c.ExecuteScalar<string?>("SELECT variant FROM displays WHERE id = 1"), Is.Null);
        }
    }

    [Test]
    public void Migration0130_OnADatabaseWithData_MakesEveryDisplayInApp_AndBackfillsTheChannelRows()
    {
        using var dir = new TempDirectory();
        using var c = OldDatabase(dir, 129);
        c.Execute("""
            INSERT INTO displays (id, workspace_id, survey_id, user_id, token_hash, shown_at, expires_at, traits, locale)
                VALUES (1, 'ws_1', 'srv_1', 'u1', x'01', 86400000 * 3 + 5, 86400000 * 10, '{}', 'de'),
                       (2, 'ws_1', 'srv_1', 'u1', x'02', 86400000 * 3 + 7, 86400000 * 10, '{}', NULL);
            INSERT INTO responses (display_id, workspace_id, survey_id, user_id, score, category, created_at, updated_at)
                VALUES (2, 'ws_1', 'srv_1', 'u1', 3, 'detractor', 86400000 * 5, 86400000 * 5);
            """);

        Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow));

        var rows = c.Query<(long Day, string Value, long Displays, long Detractors)>(
            "SELECT day, trait_value, displays, detractors FROM nps_daily WHERE trait_key = '@channel' ORDER BY day").ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows, Is.EqualTo(new[] { (3L, "in_app", 2L, 0L), (5L, "in_app", 0L, 1L) }));
            Assert.That(c.Query<string>("SELECT channel FROM displays"), Is.EqualTo(new[] { "in_app", "in_app" }));
        }
    }

    [Test]
    public void Migration0180_OnADatabaseWithData_KeepsTheHourRowsForAllData_AndBackfillsEverySegmentsHours()
    {
        using var dir = new TempDirectory();
        using var c = OldDatabase(dir, 171);
        c.Execute("""
            INSERT INTO displays (id, workspace_id, survey_id, user_id, token_hash, shown_at, expires_at, traits, locale)
                VALUES (1, 'ws_1', 'srv_1', 'u1', x'01', 3600000 * 30 + 5, 86400000 * 10, '{"plan":"pro","seats":12}', 'de'),
                       (2, 'ws_1', 'srv_1', 'u1', x'02', 3600000 * 30 + 7, 86400000 * 10, '{"plan":"free"}', NULL);
            INSERT INTO responses (display_id, workspace_id, survey_id, user_id, score, category, created_at, updated_at)
                VALUES (1, 'ws_1', 'srv_1', 'u1', 9, 'promoter', 3600000 * 31 + 1, 3600000 * 31 + 1);
            INSERT INTO nps_hourly (survey_id, hour, displays, promoters, score_sum, score_squares)
                VALUES ('srv_1', 30, 2, 0, 0, 0), ('srv_1', 31, 0, 1, 9, 81);
            INSERT INTO nps_pair_keys (key) VALUES ('plan');
            """);

        Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow));

        var rows = c.Query<string>("""
            SELECT trait_key || '|' || hour || '|' || trait_value || '|' || displays || '|' || promoters || '|' || score_sum
            FROM nps_hourly ORDER BY 1
            """).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows, Is.EquivalentTo(new[]
            {
                "@channel|30|in_app|2|0|0", "@channel|31|in_app|0|1|9", "@locale|30|de|1|0|0", "@locale|31|de|0|1|9",
                "|30||2|0|0", "|31||0|1|9", "plan|30|free|1|0|0", "plan|30|pro|1|0|0", "plan|31|pro|0|1|9",
                "seats|30|12|1|0|0", "seats|31|12|0|1|9",
            }));
            Assert.That(c.ExecuteScalar<long>("SELECT count(*) FROM nps_pair_keys"), Is.Zero, "forgotten, so the start-up sync rebuilds the pair tables");
        }
    }

    [Test]
    public void Migration0210_OnADatabaseWithData_BackfillsTheScoreCounters_AndTheReasonRows()
    {
        using var dir = new TempDirectory();
        using var c = OldDatabase(dir, 200);
        c.Execute("""
            INSERT INTO displays (id, workspace_id, survey_id, user_id, token_hash, shown_at, expires_at, traits)
                VALUES (1, 'ws_1', 'srv_1', 'u1', x'01', 86400000 * 3 + 5, 86400000 * 10, '{"plan":"pro"}'),
                       (2, 'ws_1', 'srv_1', 'u1', x'02', 86400000 * 3 + 7, 86400000 * 10, '{"plan":"free"}');
            INSERT INTO responses (id, display_id, workspace_id, survey_id, user_id, score, category, created_at, updated_at)
                VALUES (1, 1, 'ws_1', 'srv_1', 'u1', 9, 'promoter', 3600000 * 98, 3600000 * 98),
                       (2, 2, 'ws_1', 'srv_1', 'u1', 3, 'detractor', 3600000 * 101, 3600000 * 101);
            INSERT INTO response_reasons (response_id, reason_id) VALUES (1, 'support'), (2, 'price'), (2, 'slow');
            INSERT INTO nps_daily (survey_id, trait_key, day, trait_value, promoters, detractors)
                VALUES ('srv_1', '', 4, '', 1, 1), ('srv_1', 'plan', 4, 'pro', 1, 0), ('srv_1', 'plan', 4, 'free', 0, 1);
            INSERT INTO nps_hourly (survey_id, trait_key, hour, trait_value, promoters, detractors)
                VALUES ('srv_1', '', 98, '', 1, 0), ('srv_1', '', 101, '', 0, 1);
            """);

        Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(c.Query<(string Key, long Day, string Value, long S3, long S9)>(
                    "SELECT trait_key, day, trait_value, s3, s9 FROM nps_daily ORDER BY trait_key, day, trait_value"),
                Is.EqualTo(new[] { ("", 4L, "", 1L, 1L), ("plan", 4L, "free", 1L, 0L), ("plan", 4L, "pro", 0L, 1L) }));
            Assert.That(c.Query<(long Hour, long S3, long S9)>("SELECT hour, s3, s9 FROM nps_hourly ORDER BY hour"),
                Is.EqualTo(new[] { (98L, 0L, 1L), (101L, 1L, 0L) }));
            Assert.That(c.ExecuteScalar<long>("SELECT sum(s0 + s1 + s2 + s4 + s5 + s6 + s7 + s8 + s10) FROM nps_daily"), Is.Zero);
            Assert.That(c.Query<(long Day, string Category, string Reason, long Answers)>(
                    "SELECT day, category, reason_id, answers FROM reason_daily ORDER BY category, reason_id"),
                Is.EqualTo(new[] { (4L, "detractor", "", 1L), (4L, "detractor", "price", 1L), (4L, "detractor", "slow", 1L), (4L, "promoter", "", 1L), (4L, "promoter", "support", 1L) }));
            Assert.That(c.Query<(long Hour, string Reason, long Answers)>("SELECT hour, reason_id, answers FROM reason_hourly ORDER BY hour, reason_id"),
                Is.EqualTo(new[] { (98L, "", 1L), (98L, "support", 1L), (101L, "", 1L), (101L, "price", 1L), (101L, "slow", 1L) }));
        }
    }
}
