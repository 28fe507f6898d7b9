using System.Globalization;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>Answers on the last and first millisecond of weeks, months and quarters land in their own period, in UTC and in a zone.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class BucketBoundaryTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";

    // Tuesday 31 March 2026 ends Q1 and March; Sunday 5 April ends ISO week 14.
    static readonly string[] Instants =
    [
        "2026-03-31T21:59:59.999Z", // 23:59:59.999 in Berlin (UTC+2)
        "2026-03-31T22:00:00.000Z", // 1 April 00:00 in Berlin
        "2026-03-31T23:59:59.999Z",
        "2026-04-01T00:00:00.000Z",
        "2026-04-05T23:59:59.999Z",
        "2026-04-06T00:00:00.000Z",
    ];

    PulseFactory _app = null!;
    HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory(provider: provider);
        _ = _app.Server;
        var acme = _app.CreateWorkspace("Acme", [Origin]);
        _http = _app.SecretClient(acme.SecretKey);
        var account = new FakeAccount("acc_1", "One", 1000, "premium", "Dana", "HR", "1-10");
        var showings = Instants.Select((at, i) => new FakeShowing(new FakeUser($"u{i}", $"u{i}@one.test", "admin", account),
            DateTimeOffset.Parse(at, CultureInfo.InvariantCulture), 10, TimeSpan.Zero, null, "en", "https://app.acme.test/"));
        await ApiSeed.AddAsync(_app, acme, Origin, showings, waveSize: 1); // each at its own millisecond
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _app.Dispose();
    }

    async Task<Dictionary<string, long>> Series(string interval, string? tz, string groupBy = "")
    {
        var report = await (await _http.GetAsync($"/v1/metrics/nps?from=2026-03-01&to=2026-04-30&interval={interval}"
            + (tz is null ? "" : "&tz=" + Uri.EscapeDataString(tz)) + groupBy)).ReadJson<NpsReport>();
        var points = groupBy == "" ? report.Series! : report.Groups!.Single().Series!;
        Assert.That(points.Sum(p => p.Responses), Is.EqualTo(Instants.Length));
        return points.Where(p => p.Responses > 0).ToDictionary(p => p.Start, p => p.Responses);
    }

    [TestCase("")]
    [TestCase("&groupBy=plan")]
    public async Task Utc_MonthQuarterAndWeek_SplitOnTheMillisecond(string groupBy)
    {
        var months = await Series("month", null, groupBy);
        var quarters = await Series("quarter", null, groupBy);
        var weeks = await Series("week", null, groupBy);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(months, Is.EqualTo(new Dictionary<string, long> { ["2026-03-01T00:00:00Z"] = 3, ["2026-04-01T00:00:00Z"] = 3 }));
            Assert.That(quarters, Is.EqualTo(new Dictionary<string, long> { ["2026-01-01T00:00:00Z"] = 3, ["2026-04-01T00:00:00Z"] = 3 }));
            Assert.That(weeks, Is.EqualTo(new Dictionary<string, long> { ["2026-03-30T00:00:00Z"] = 5, ["2026-04-06T00:00:00Z"] = 1 }));
        }
    }

    [TestCase("")]
    [TestCase("&groupBy=plan")]
    public async Task Berlin_MonthAndWeek_SplitAtLocalMidnight(string groupBy)
    {
        var months = await Series("month", "Europe/Berlin", groupBy);
        var weeks = await Series("week", "Europe/Berlin", groupBy);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(months, Is.EqualTo(new Dictionary<string, long> { ["2026-03-01T00:00:00+01:00"] = 1, ["2026-04-01T00:00:00+02:00"] = 5 }));
            // Sunday 23:59:59.999Z and Monday 00:00Z are both Monday 6 April in Berlin.
            Assert.That(weeks, Is.EqualTo(new Dictionary<string, long> { ["2026-03-30T00:00:00+02:00"] = 4, ["2026-04-06T00:00:00+02:00"] = 2 }));
        }
    }

    [Test]
    public async Task Range_ToIsExclusive_FromIsInclusive()
    {
        var report = await (await _http.GetAsync("/v1/metrics/nps?from=2026-03-31T22:00:00Z&to=2026-04-01T00:00:00Z")).ReadJson<NpsReport>();

        Assert.That(report.Responses, Is.EqualTo(2), "22:00:00.000 and 23:59:59.999, not midnight");
    }
}
