using System.Diagnostics;
using System.Net.Http.Headers;
using Bogus;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Analytics;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Users;

namespace Pulse.Bench;

/// <summary>
/// <c>GET /v1/metrics/nps</c> over a year of 1,000,000 responses: grouped by a trait, and as a monthly
/// series. Also start-up time on that database (the empty-database start-up is its own scenario).
/// </summary>
static class AnalyticsScenario
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var responses = ctx.Size(1_000_000, 50_000);
        var requests = ctx.Size(200, 40);
        var clock = Stopwatch.StartNew();
        var (db, ws) = Seed.NewDatabase(ctx.File("analytics.db"));
        var (surveyId, from, to) = SeedYear(db, ws.WorkspaceId, responses);
        var seeded = clock.Elapsed;
        clock.Restart();
        using (var c = db.Open())
        using (var tx = c.BeginTransaction(deferred: false))
        {
            NpsAggregateHook.Rebuild(c, tx);
            tx.Commit();
        }
        var rebuilt = clock.Elapsed;
        SqliteConnection.ClearAllPools();
        long aggregateRows;
        using (var c = db.Open())
            aggregateRows = c.ExecuteScalar<long>("SELECT COUNT(*) FROM nps_daily");

        using var api = await ServerProcess.StartApiAsync(db.FilePath);
        using var http = new HttpClient { BaseAddress = api.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ws.SecretKey);
        var range = $"surveyId={surveyId}&from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}";
        var grouped = await Measure(http, $"/v1/metrics/nps?{range}&groupBy=plan", requests);
        var monthly = await Measure(http, $"/v1/metrics/nps?{range}&interval=month", requests);
        var monthlyByRole = await Measure(http, $"/v1/metrics/nps?{range}&interval=month&groupBy=role", requests / 2);

        ctx.Report.Add(new Result("analytics", "groupBy=plan over a year: median", grouped.Median, "ms", Target: "≤ 50 ms", Pass: grouped.Median <= 50,
            Note: $"p99 {grouped.P99:F1} ms"));
        ctx.Report.Add(new Result("analytics", "interval=month over a year: median", monthly.Median, "ms", Target: "≤ 50 ms", Pass: monthly.Median <= 50,
            Note: $"p99 {monthly.P99:F1} ms"));
        ctx.Report.Add(new Result("analytics", "interval=month&groupBy=role: median", monthlyByRole.Median, "ms", Note: $"p99 {monthlyByRole.P99:F1} ms"));
        ctx.Report.Add(new Result("startup", $"{responses:N0}-response database: start to /readyz 200", api.Startup.TotalMilliseconds, "ms"));
        ctx.Report.Note($"Analytics: {responses:N0} responses (and {(int)(responses / 0.8):N0} displays, 8 traits each) over 365 days seeded with " +
            $"Bogus (seed 11) in {seeded.TotalSeconds:F0} s, aggregates rebuilt with `NpsAggregateHook.Rebuild` in {rebuilt.TotalSeconds:F0} s " +
            $"({aggregateRows:N0} daily rows). Each query is sent {requests} times one after another over loopback after 10 warm-up calls; " +
            "the times are client-side wall times including HTTP.");
    }

    sealed record Timing(double Median, double P99);

    static async Task<Timing> Measure(HttpClient http, string url, int count)
    {
        for (var i = 0; i < 10; i++)
            (await http.GetAsync(url)).EnsureSuccessStatusCode();
        var times = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(url);
            await response.Content.ReadAsByteArrayAsync();
            times.Add(clock.Elapsed.TotalMilliseconds);
            response.EnsureSuccessStatusCode();
        }
        times.Sort();
        return new Timing(times[times.Count / 2], times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.99) - 1)]);
    }

    static readonly string[] Plans = ["free", "starter", "premium", "enterprise"];
    static readonly string[] Roles = ["admin", "recruiter", "hiring_manager", "viewer"];
    static readonly string[] Industries = ["HR", "Finance", "Retail", "Healthcare", "Software", "Education"];
    static readonly string[] Sizes = ["1-10", "11-50", "51-200", "201-1000", "1000+"];
    static readonly string[] Csms = ["Dana", "Eli", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kai"];

    /// <summary>A year of displays (80 % answered) from users of 2,000 accounts; returns the survey and the range.</summary>
    static (string SurveyId, DateTimeOffset From, DateTimeOffset To) SeedYear(Db db, string workspaceId, int responses)
    {
        var faker = new Faker { Random = new Randomizer(11) };
        var to = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var from = to.AddDays(-365);
        var start = from.ToUnixTimeMilliseconds();
        var span = to.ToUnixTimeMilliseconds() - start;
        var users = Math.Max(1000, responses / 4);
        using var c = db.Open();
        c.Execute("PRAGMA synchronous=OFF; PRAGMA cache_size=-200000");
        using var tx = c.BeginTransaction(deferred: false);
        var surveyId = c.ExecuteScalar<string>("SELECT id FROM surveys WHERE workspace_id = @workspaceId", new { workspaceId }, tx)!;
        var traits = new string[users];
        using (var insertUser = Command(c, tx, """
            INSERT INTO end_users (workspace_id, user_id, first_seen_at, last_seen_at, traits) VALUES ($w, $u, $t0, $t0, $traits)
            """, "$w", "$u", "$t0", "$traits"))
        {
            for (var u = 0; u < users; u++)
            {
                var account = faker.Random.Int(1, 2000);
                var accountFaker = new Randomizer(account);
                traits[u] = Traits.ToJson(Traits.Parse(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["plan"] = accountFaker.ArrayElement(Plans),
                    ["role"] = faker.PickRandom(Roles),
                    ["csm"] = accountFaker.ArrayElement(Csms),
                    ["industry"] = accountFaker.ArrayElement(Industries),
                    ["companySize"] = accountFaker.ArrayElement(Sizes),
                    ["accountId"] = $"acct-{account}",
                    ["accountName"] = $"Account {account}",
                    ["arr"] = accountFaker.Int(1, 250) * 1000,
                })));
                Run(insertUser, workspaceId, $"u{u}", start, traits[u]);
            }
        }
        using var insertDisplay = Command(c, tx, """
            INSERT INTO displays (workspace_id, survey_id, user_id, token_hash, shown_at, expires_at, answered_at, traits, locale)
            VALUES ($w, $s, $u, randomblob(16), $at, $at + 604800000, $ans, $traits, 'en') RETURNING id
            """, "$w", "$s", "$u", "$at", "$ans", "$traits");
        using var insertResponse = Command(c, tx, """
            INSERT INTO responses (display_id, workspace_id, survey_id, user_id, score, category, created_at, updated_at)
            VALUES ($d, $w, $s, $u, $score, $cat, $at, $at)
            """, "$d", "$w", "$s", "$u", "$score", "$cat", "$at");
        var displays = (int)(responses / 0.8);
        var answered = 0;
        for (var i = 0; i < displays; i++)
        {
            var u = faker.Random.Int(0, users - 1);
            var at = start + faker.Random.Long(0, span - 120_000);
            var answers = answered < responses && (displays - i <= responses - answered || faker.Random.Double() < 0.8);
            var id = (long)Run(insertDisplay, workspaceId, surveyId, $"u{u}", at, answers ? at + 60_000 : null, traits[u])!;
            if (!answers)
                continue;
            var score = Math.Clamp((int)Math.Round(faker.Random.Double() * 6 + faker.Random.Double() * 5.5), 0, 10);
            Run(insertResponse, id, workspaceId, surveyId, $"u{u}", score,
                NpsCategory.Of(score), at + 60_000);
            answered++;
        }
        tx.Commit();
        return (surveyId, from, to.AddDays(-1));
    }

    static SqliteCommand Command(SqliteConnection c, SqliteTransaction tx, string sql, params string[] names)
    {
        var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in names)
            command.Parameters.Add(new SqliteParameter(name, null));
        command.Prepare();
        return command;
    }

    static object? Run(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        return command.ExecuteScalar();
    }
}
