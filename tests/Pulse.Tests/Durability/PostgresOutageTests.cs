using System.Text.Json;
using Dapper;
using Npgsql;
using Pulse.Api.Storage;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Durability;

/// <summary>
/// PostgreSQL going away and coming back under a running instance (docs/decisions.md MG6): the server ends every
/// session of the database (<c>pg_terminate_backend</c>) and refuses new ones (<c>ALLOW_CONNECTIONS false</c>), as a
/// restart or a failover does; then it takes connections again.
/// </summary>
[Category(TestCategories.Process)]
public sealed class PostgresOutageTests
{
    const string Origin = "https://app.acme.test";

    [Test]
    public async Task Readyz_WhileTheDatabaseIsUnreachable_IsNotReady_RequestsAre503_AndTheInstanceRecoversWithoutARestart()
    {
        using var app = new PulseFactory(provider: StorageProvider.Postgres);
        var acme = app.CreateWorkspace("Acme", [Origin]);
        using var server = app.SecretClient(acme.SecretKey);
        using var browser = app.BrowserClient(Origin);
        using var probe = app.CreateClient();
        var user = 0;
        async Task<int> ShowAndAnswer()
        {
            var shown = await server.PostAsync("/v1/eligibility", Json.Of(new { user = User($"u{++user}", app.Time.GetUtcNow()), force = true }));
            if ((int)shown.StatusCode != 200)
                return (int)shown.StatusCode;
            var token = (await shown.ReadJson<JsonElement>()).GetProperty("displayToken").GetString();
            return (int)(await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 9 }))).StatusCode;
        }
        // Several at once, so the pool, the read pool and the writer all hold connections the server will end.
        Assert.That(await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ShowAndAnswer())), Has.All.EqualTo(201));
        Assert.That((int)(await probe.GetAsync("/readyz")).StatusCode, Is.EqualTo(200));

        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
        using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(app.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        admin.Open();
        admin.Execute($"ALTER DATABASE {database} ALLOW_CONNECTIONS false");
        admin.Execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @database", new { database });

        var down = await probe.GetAsync("/readyz");
        var downAgain = await probe.GetAsync("/readyz");
        var read = await server.GetAsync("/v1/responses");
        var write = await server.PostAsync("/v1/eligibility", Json.Of(new { user = User("during", app.Time.GetUtcNow()), force = true }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await down.AssertProblem(503)).GetProperty("detail").GetString(), Does.Contain("database is unavailable"));
            Assert.That((int)downAgain.StatusCode, Is.EqualTo(503));
            Assert.That((await read.AssertProblem(503)).GetProperty("detail").GetString(), Does.Contain("database is unavailable"), "not a 500");
            Assert.That((int)write.StatusCode, Is.EqualTo(503), "not a 500");
            Assert.That(write.Headers.RetryAfter, Is.Not.Null);
        }

        admin.Execute($"ALTER DATABASE {database} ALLOW_CONNECTIONS true");

        // Back at the first check, and every later request works: no connection the server ended is used again.
        var up = await probe.GetAsync("/readyz");
        var answers = new List<int>();
        for (var i = 0; i < 3; i++)
            answers.AddRange(await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ShowAndAnswer())));
        var list = await server.GetAsync("/v1/responses?limit=200");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)up.StatusCode, Is.EqualTo(200), await up.Content.ReadAsStringAsync());
            Assert.That(answers, Has.All.EqualTo(201));
            Assert.That((await list.ReadJson<JsonElement>()).GetProperty("items").GetArrayLength(), Is.EqualTo(8 + 24));
        }
    }
}
