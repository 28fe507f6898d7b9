using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Displays;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// Decision WR2: on SQLite the aggregate adds of a batch's append commands (new displays, answers) are summed and
/// written once per row before the commit. A failed append adds nothing, a command that is not an append sees every
/// earlier add, and what the batch leaves equals a recomputation from the raw rows. On PostgreSQL each command
/// writes its own rows; the same checks hold there.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class BatchedAggregateTests(StorageProvider provider)
{
    static readonly DateTimeOffset From = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    PulseFactory _app = null!;
    string _workspaceId = null!;
    string _surveyId = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(provider: provider, settings: new Dictionary<string, string?> { ["Analytics:PairTraits"] = "plan,role,locale,channel" });
        _workspaceId = _app.CreateWorkspace("Acme", ["https://app.acme.test"]).WorkspaceId;
        _surveyId = new AnalyticsSeed(_app).SurveyOf(_workspaceId);
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    const string DisplaysInAggregates = "SELECT COALESCE(sum(displays), 0) FROM nps_daily WHERE survey_id = @SurveyId AND trait_key = ''";
    const string DisplaysInRows = "SELECT count(*) FROM displays WHERE survey_id = @SurveyId";

    [Test]
    public async Task AppendsOfOneBatch_FailedAppendAddsNothing_CommandBetweenSeesEveryEarlierAdd_AndTheSumsEqualTheRawRows()
    {
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        var displays = _app.Services.GetRequiredService<DisplayHooks>();
        var responses = _app.Services.GetRequiredService<ResponseHooks>();
        var users = NpsFakers.Users(902, NpsFakers.Accounts(901).Generate(6)).Generate(40);
        // Two days, so a batch adds to several day and hour rows; most answers share the row for all data and their plan.
        var showings = NpsFakers.Showings(903, users, From, From.AddDays(2)).Generate(80).OrderBy(s => s.ShownAt).ToList();

        using var gate = new ManualResetEventSlim();
        // Holds the writer, so every command below is queued before it runs and they commit in one or two batches.
        var held = writer.ExecuteAsync((_, _) => gate.Wait(TimeSpan.FromSeconds(30)));
        var first = showings.Take(40).Select(s => Append(s)).ToList();
        var failed = writer.AppendAsync<Seeded>((c, tx) =>
        {
            AnalyticsSeed.Add(c, tx, displays, responses, _workspaceId, _surveyId, showings[40]);
            throw new InvalidOperationException("a failing append");
        });
        var between = writer.ExecuteAsync((c, tx) => (
            Aggregated: c.ExecuteScalar<long>(DisplaysInAggregates, new { SurveyId = _surveyId }, tx),
            Stored: c.ExecuteScalar<long>(DisplaysInRows, new { SurveyId = _surveyId }, tx)));
        var second = showings.Skip(41).Select(s => Append(s)).ToList();
        gate.Set();

        Assert.That(await held, Is.True, "the writer was held until every command was queued");
        await Task.WhenAll(first.Concat(second));
        Assert.ThrowsAsync<InvalidOperationException>(async () => await failed);
        var seen = await between;
        var (maintained, recomputed) = await Recomputation.Of(_app, Dump, NpsAggregateHook.Rebuild);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen.Stored, Is.GreaterThanOrEqualTo(40));
            Assert.That(seen.Aggregated, Is.EqualTo(seen.Stored), "the command between the appends read their adds");
            using var c = _app.Db.Open();
            Assert.That(c.ExecuteScalar<long>(DisplaysInAggregates, new { SurveyId = _surveyId }), Is.EqualTo(79), "79 displays: the failed one is not counted");
            Assert.That(c.ExecuteScalar<long>(DisplaysInRows, new { SurveyId = _surveyId }), Is.EqualTo(79));
            Assert.That(maintained.Count(r => r.StartsWith("pd|", StringComparison.Ordinal)), Is.GreaterThan(20), "pairs were summed too");
            Assert.That(maintained, Is.EqualTo(recomputed));
        }
        if (provider == StorageProvider.Sqlite)
        {
            // Only the batched flush creates the writer's temporary table: the sums above went through it.
            var flushed = await writer.ExecuteAsync((c, tx) => c.ExecuteScalar<long>("SELECT count(*) FROM temp.sqlite_master WHERE name = 'batch_contrib'", transaction: tx));
            Assert.That(flushed, Is.EqualTo(1));
        }

        Task<Seeded> Append(FakeShowing s) => writer.AppendAsync((c, tx) => AnalyticsSeed.Add(c, tx, displays, responses, _workspaceId, _surveyId, s));
    }

    const string Dump = """
        SELECT 'd|' || survey_id || '|' || trait_key || '|' || day || '|' || trait_value || '|' || displays || '|' || promoters || '|' || passives
               || '|' || detractors || '|' || score_sum || '|' || score_squares || '|' || s0 || ',' || s1 || ',' || s2 || ',' || s3 || ',' || s4
               || ',' || s5 || ',' || s6 || ',' || s7 || ',' || s8 || ',' || s9 || ',' || s10 FROM nps_daily
        UNION ALL
        SELECT 'h|' || survey_id || '|' || trait_key || '|' || hour || '|' || trait_value || '|' || displays || '|' || promoters || '|' || passives
               || '|' || detractors || '|' || score_sum || '|' || score_squares || '|' || s0 || ',' || s5 || ',' || s10 FROM nps_hourly
        UNION ALL
        SELECT 'pd|' || survey_id || '|' || key_a || '|' || key_b || '|' || day || '|' || value_a || '|' || value_b || '|' || displays || '|' || promoters
               || '|' || passives || '|' || detractors || '|' || score_sum || '|' || s0 || ',' || s9 FROM nps_pair_daily
        UNION ALL
        SELECT 'ph|' || survey_id || '|' || key_a || '|' || key_b || '|' || hour || '|' || value_a || '|' || value_b || '|' || displays || '|' || promoters
               || '|' || detractors || '|' || score_squares FROM nps_pair_hourly
        ORDER BY 1
        """;
}
