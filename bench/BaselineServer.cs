using Dapper;
using Microsoft.Data.Sqlite;

namespace Pulse.Bench;

/// <summary>
/// The baselines, served by this same executable in its own process (<c>Pulse.Bench serve-baseline
/// --urls … --db …</c>) so they pay the same process and loopback costs as the API:
/// <list type="bullet">
/// <item><c>POST /bare</c>: bare Kestrel — reads the body, answers a small fixed JSON document.</item>
/// <item><c>POST /autocommit</c>: one autocommitted <c>synchronous=FULL</c> INSERT per request through
/// Dapper, on a pooled connection — durability without group commit; with <c>--pg &lt;connection string&gt;</c>
/// the same autocommitted INSERT into PostgreSQL (synchronous_commit on) through Npgsql.</item>
/// </list>
/// </summary>
static class BaselineServer
{
    public const string Verb = "serve-baseline";

    const string CreateTable = """
        PRAGMA journal_mode=WAL;
        CREATE TABLE IF NOT EXISTS baseline_responses (
            id INTEGER PRIMARY KEY, display_token TEXT NOT NULL UNIQUE, score INTEGER NOT NULL,
            comment TEXT, created_at INTEGER NOT NULL)
        """;

    const string Insert = """
        INSERT INTO baseline_responses (display_token, score, comment, created_at)
        VALUES (@DisplayToken, @Score, @Comment, @CreatedAt)
        """;

    const string CreatePostgresTable = """
        CREATE TABLE IF NOT EXISTS baseline_responses (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, display_token TEXT NOT NULL UNIQUE, score INTEGER NOT NULL,
            comment TEXT, created_at BIGINT NOT NULL)
        """;

    static readonly byte[] Small = """{"eligible":false,"reason":"throttled_response"}"""u8.ToArray();

    sealed record Answer(string DisplayToken, int Score, string? Comment);

    public static async Task<int> RunAsync(string[] args)
    {
        var db = args.SkipWhile(a => a != "--db").Skip(1).FirstOrDefault() ?? throw new ArgumentException("--db is required");
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = db,
            Pooling = true,
            Cache = SqliteCacheMode.Private,
            DefaultTimeout = 30,
        }.ToString();
        using (var c = new SqliteConnection(connectionString))
        {
            c.Open();
            c.Execute(CreateTable);
        }

        var pg = args.SkipWhile(a => a != "--pg").Skip(1).FirstOrDefault();
        if (pg is not null)
        {
            using var c = new Npgsql.NpgsqlConnection(pg);
            c.Open();
            c.Execute(CreatePostgresTable);
        }

        var builder = WebApplication.CreateSlimBuilder(args.Where(a => a != "--db" && a != db && a != "--pg" && a != pg).ToArray());
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/readyz", () => Results.Ok());
        app.MapPost("/bare", async (HttpContext context) =>
        {
            // Read the whole body, as the API must, then answer like a not-eligible decision.
            using var reader = new StreamReader(context.Request.Body);
            await reader.ReadToEndAsync();
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(Small);
        });
        if (pg is not null)
        {
            app.MapPost("/autocommit", async (Answer answer) =>
            {
                await using var p = new Npgsql.NpgsqlConnection(pg);
                await p.OpenAsync();
                await p.ExecuteAsync(Insert, new { answer.DisplayToken, answer.Score, answer.Comment, CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
                return Results.Created((string?)null, new { answer.Score });
            });
        }
        else
        {
            app.MapPost("/autocommit", (Answer answer) =>
            {
                using var c = new SqliteConnection(connectionString);
                c.Open();
                c.Execute("PRAGMA synchronous=FULL");
                c.Execute(Insert, new { answer.DisplayToken, answer.Score, answer.Comment, CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
                return Results.Created((string?)null, new { answer.Score });
            });
        }
        await app.RunAsync();
        return 0;
    }
}
