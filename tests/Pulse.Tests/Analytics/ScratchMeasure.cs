using System.Diagnostics;
using Dapper;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

[Explicit]
public sealed class ScratchMeasure
{
    [Test]
    public async Task Measure()
    {
        var n = int.Parse(Environment.GetEnvironmentVariable("MEASURE_N") ?? "300000", System.Globalization.CultureInfo.InvariantCulture);
        using var app = new PulseFactory(databasePath: "/tmp/measure/m.db");
        app.StartKestrel();
        var ws = app.CreateWorkspace("Acme");
        var accounts = NpsFakers.Accounts(1).Generate(1000);
        var users = NpsFakers.Users(2, accounts).Generate(30000);
        var sw = Stopwatch.StartNew();
        var seed = new AnalyticsSeed(app);
        for (var i = 0; i < n; i += 50000)
            await seed.AddAsync(ws.WorkspaceId, NpsFakers.Showings(3 + i, users, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)).Generate(Math.Min(50000, n - i)), 5000);
        using var c = app.Db.Open();
        TestContext.Out.WriteLine($"seeded {n} showings in {sw.Elapsed.TotalSeconds:F0}s; responses {c.ExecuteScalar<long>("select count(*) from responses")}; daily rows {c.ExecuteScalar<long>("select count(*) from nps_daily")}; hourly {c.ExecuteScalar<long>("select count(*) from nps_hourly")}; db {new FileInfo(app.DatabasePath).Length / 1e6:F0} MB");
        using var http = app.SecretClient(ws.SecretKey);
        foreach (var q in new[]
        {
            "/v1/metrics/nps?from=2025-01-01&to=2025-12-31",
            "/v1/metrics/nps?from=2025-01-01&to=2025-12-31&interval=month&groupBy=plan",
            "/v1/metrics/nps?from=2025-01-01&to=2025-12-31&interval=month&groupBy=csm&tz=Europe/Berlin",
            "/v1/metrics/nps?from=2025-01-01&to=2025-12-31&interval=week&groupBy=role&tz=America/New_York",
            "/v1/metrics/nps?from=2025-01-01&to=2025-12-31&interval=day&tz=Asia/Kolkata",
            "/v1/metrics/nps?from=2025-01-01&to=2025-12-31&interval=month&groupBy=accountId",
            "/v1/metrics/nps?from=2025-01-01&to=2025-12-31&interval=month&where[plan]=enterprise",
            "/v1/metrics/nps?from=2025-01-01&to=2025-12-31&interval=month&where[plan]=enterprise&groupBy=role",
            "/v1/accounts?from=2025-01-01&to=2025-12-31",
            "/v1/responses?limit=50",
            "/v1/responses?limit=50&category=detractor&where[plan]=enterprise",
            "/v1/responses?limit=50&q=zzzz",
        })
        {
            var times = new List<double>();
            for (var i = 0; i < 7; i++)
            {
                var t = Stopwatch.StartNew();
                (await http.GetAsync(q)).EnsureSuccessStatusCode();
                times.Add(t.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            TestContext.Out.WriteLine($"{times[3],8:F1} ms median  {q}");
        }
        var tc = Stopwatch.StartNew();
        var csv = await http.GetByteArrayAsync("/v1/responses.csv");
        TestContext.Out.WriteLine($"csv {csv.Length / 1e6:F0} MB in {tc.Elapsed.TotalSeconds:F1}s");
    }
}
