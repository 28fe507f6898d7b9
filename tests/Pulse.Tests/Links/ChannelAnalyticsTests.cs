using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;
using static Pulse.Tests.Links.LinkCalls;

namespace Pulse.Tests.Links;

/// <summary>NPS grouped by the channel a display came through, checked against a computation from the raw rows in the test.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class ChannelAnalyticsTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";
    static readonly DateTimeOffset Now = PulseFactory.DefaultNow;

    PulseFactory _app = null!;
    HttpClient _server = null!;

    [SetUp]
    public async Task Seed()
    {
        _app = new PulseFactory(provider: provider);
        var ws = _app.CreateWorkspace("Acme", [Origin]);
        _server = _app.SecretClient(ws.SecretKey);
        using var browser = _app.BrowserClient(Origin);
        using var visitor = _app.CreateClient();
        // In-app: 12 shown, 6 answered. Links: 8 opened, 6 answered. Email: 5 opened, 2 answered, 2 never opened.
        for (var i = 0; i < 12; i++)
        {
            var shown = await _server.CheckUser(User($"app-{i}", Now, new { plan = i % 2 == 0 ? "pro" : "free" }));
            if (i < 6)
                (await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = shown.DisplayToken, score = i * 2 }))).EnsureSuccessStatusCode();
        }
        async Task ByLink(string prefix, string channel, int opened, int[] scores, int unopened = 0)
        {
            for (var i = 0; i < opened + unopened; i++)
            {
                var path = PathOf(await _server.CreateLink(new { user = User($"{prefix}-{i}", Now, new { plan = i % 2 == 0 ? "pro" : "free" }), channel }));
                if (i >= opened)
                    continue;
                (await visitor.GetAsync(path)).EnsureSuccessStatusCode();
                if (i < scores.Length)
                    (await visitor.PostAsync(path + "/responses", Json.Of(new { score = scores[i] }))).EnsureSuccessStatusCode();
            }
        }
        await ByLink("link", "link", 8, [10, 9, 9, 8, 3, 10]);
        await ByLink("mail", "email", 5, [0, 10], unopened: 2);
    }

    [TearDown]
    public void Stop()
    {
        _server.Dispose();
        _app.Dispose();
    }

    /// <summary>Per channel: displays, promoters, passives, detractors, NPS and response rate, from displays and responses.</summary>
    Dictionary<string, (long Displays, long P, long Pa, long D, double? Nps, double? Rate)> Expected(string? plan = null)
    {
        using var c = _app.Db.Open();
        var rows = c.Query<(string Channel, long? Score)>(
            "SELECT d.channel AS Channel, r.score AS Score FROM displays d LEFT JOIN responses r ON r.display_id = d.id " +
            "WHERE @Plan IS NULL OR json_extract(d.traits, '$.plan') = @Plan", new { Plan = plan });
        return rows.GroupBy(r => r.Channel).ToDictionary(g => g.Key, g =>
        {
            var scores = g.Where(r => r.Score is not null).Select(r => r.Score!.Value).ToList();
            long p = scores.Count(s => s >= 9), pa = scores.Count(s => s is 7 or 8), d = scores.Count(s => s <= 6);
            double? nps = scores.Count == 0 ? null : Math.Round(100.0 * (p - d) / scores.Count, 1);
            return ((long)g.Count(), p, pa, d, nps, (double?)Math.Round(scores.Count / (double)g.Count(), 4));
        });
    }

    [TestCase("", null)]
    [TestCase("&where[plan]=pro", "pro")]
    [TestCase("&interval=day&tz=America/New_York", null)]
    public async Task GroupByChannel_MatchesTheRawRows(string extra, string? plan)
    {
        var report = await (await _server.GetAsync("/v1/metrics/nps?from=2026-03-01&to=2026-03-03&groupBy=channel" + extra)).ReadJson<NpsReport>();

        var actual = report.Groups!.ToDictionary(g => g.Value, g => (g.Displays, Counts: (g.Promoters, g.Passives, g.Detractors), g.Nps,
            Rate: g.ResponseRate is { } r ? (double?)Math.Round(r, 4) : null));
        var expected = Expected(plan);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual.Keys, Is.EquivalentTo(new[] { "in_app", "link", "email" }));
            foreach (var (channel, want) in expected)
            {
                Assert.That(actual[channel].Displays, Is.EqualTo(want.Displays), channel + " displays");
                Assert.That(actual[channel].Counts, Is.EqualTo((want.P, want.Pa, want.D)), channel);
                Assert.That(actual[channel].Nps, Is.EqualTo(want.Nps).Within(0.051), channel + " NPS");
                Assert.That(actual[channel].Rate, Is.EqualTo(want.Rate).Within(0.0001), channel + " response rate");
            }
        }
    }

    [Test]
    public async Task WhereChannel_Filters_AndTheAggregatesSurviveARebuild()
    {
        var before = await (await _server.GetAsync("/v1/metrics/nps?from=2026-03-01&to=2026-03-03&groupBy=channel")).ReadJson<NpsReport>();
        var link = await (await _server.GetAsync("/v1/metrics/nps?from=2026-03-01&to=2026-03-03&where[channel]=link")).ReadJson<NpsReport>();
        await _app.Services.GetRequiredService<Pulse.Api.Storage.WriteQueue>().ExecuteAsync((c, tx) => NpsAggregateHook.Rebuild(c, tx));
        var after = await (await _server.GetAsync("/v1/metrics/nps?from=2026-03-01&to=2026-03-03&groupBy=channel")).ReadJson<NpsReport>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That((link.Displays, link.Responses, link.Promoters), Is.EqualTo((8L, 6L, 4L)));
            Assert.That(after.Groups!.Select(g => (g.Value, g.Displays, g.Responses, g.Nps)),
                Is.EquivalentTo(before.Groups!.Select(g => (g.Value, g.Displays, g.Responses, g.Nps))), "the migration's backfill counts channels as the hook does");
        }
    }
}
