using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Pulse.Api.Displays;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Webhooks;

/// <summary>
/// A receiver verifying Standard Webhooks signatures, written from the spec
/// (https://www.standardwebhooks.com) and sharing no code with Pulse.Api.Webhooks.
/// </summary>
public static class StandardWebhooksVerifier
{
    public static bool Verify(string secret, string? id, string? timestamp, string? signatures, string body, DateTimeOffset now,
        TimeSpan? tolerance = null)
    {
        if (id is null || timestamp is null || signatures is null || !long.TryParse(timestamp, out var seconds))
            return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > (tolerance ?? TimeSpan.FromMinutes(5)))
            return false;
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret);
        using var hmac = new HMACSHA256(key);
        var expected = hmac.ComputeHash(Encoding.UTF8.GetBytes(id + "." + timestamp + "." + body));
        foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = candidate.Split(',', 2);
            if (parts.Length != 2 || parts[0] != "v1")
                continue;
            byte[] given;
            try
            {
                given = Convert.FromBase64String(parts[1]);
            }
            catch (FormatException)
            {
                continue;
            }
            if (CryptographicOperations.FixedTimeEquals(given, expected))
                return true;
        }
        return false;
    }
}

/// <summary>One request as the receiver saw it.</summary>
public sealed record ReceivedWebhook(int Number, string Path, string? Id, string? Timestamp, string? Signature, string? ContentType, string Body)
{
    public bool VerifiesWith(string secret, DateTimeOffset now) => StandardWebhooksVerifier.Verify(secret, Id, Timestamp, Signature, Body, now);

    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;

    /// <summary>Every string value in a JSON document, decoded, depth first.</summary>
    public static IEnumerable<string> Strings(System.Text.Json.JsonElement e) => e.ValueKind switch
    {
        System.Text.Json.JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value)),
        System.Text.Json.JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
        System.Text.Json.JsonValueKind.String => [e.GetString()!],
        _ => [],
    };
}

/// <summary>A real HTTP endpoint (Kestrel on 127.0.0.1, a free port) that records every request and answers as told.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();
    int _count;

    WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>How to answer request number N (1-based); 204 by default.</summary>
    public Func<ReceivedWebhook, Task<IResult>> Respond { get; set; } = _ => Task.FromResult(Results.NoContent());

    public Uri Address { get; private set; } = null!;

    public int Count => Volatile.Read(ref _count);

    public string Url(string path = "/hook") => new Uri(Address, path).ToString();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Map("/{**path}", receiver.HandleAsync);
        await app.StartAsync();
        receiver.Address = new Uri(app.Urls.First());
        return receiver;
    }

    async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var h = context.Request.Headers;
        var received = new ReceivedWebhook(Interlocked.Increment(ref _count), context.Request.Path, h["webhook-id"].FirstOrDefault(),
            h["webhook-timestamp"].FirstOrDefault(), h["webhook-signature"].FirstOrDefault(), context.Request.ContentType, body);
        _received.Writer.TryWrite(received);
        await (await Respond(received)).ExecuteAsync(context);
    }

    /// <summary>The next request received (waits for it; fails rather than hang if none comes).</summary>
    public async Task<ReceivedWebhook> NextAsync()
    {
        using var guard = new CancellationTokenSource(Poll.HangGuard);
        try
        {
            return await _received.Reader.ReadAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            throw new AssertionException($"The receiver got no request (it has seen {Count}).");
        }
    }

    /// <summary>Requests received and not yet read with <see cref="NextAsync"/>.</summary>
    public List<ReceivedWebhook> Drain()
    {
        var list = new List<ReceivedWebhook>();
        while (_received.Reader.TryRead(out var r))
            list.Add(r);
        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Waiting for the background dispatcher without sleeping for time to pass.</summary>
public static class Poll
{
    /// <summary>Not a time limit on the behaviour, only a guard so a broken build fails instead of hanging.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > HangGuard)
                throw new AssertionException("Still waiting for: " + what);
            await Task.Delay(10);
        }
    }
}

/// <summary>
/// Writes responses and declines the way the responses feature does: inside one writer command,
/// the rows and then the write hooks, so the webhook outbox commits with them.
/// </summary>
public static class Outbox
{
    public static string DefaultSurveyId(PulseFactory app, string workspaceId)
    {
        using var c = app.Db.Open();
        return c.ExecuteScalar<string>("SELECT id FROM surveys WHERE workspace_id = @W ORDER BY created_at LIMIT 1", new { W = workspaceId })!;
    }

    public static Task<ResponseWritten> SaveResponseAsync(PulseFactory app, string workspaceId, Respondent who, int score,
        string? comment = null, string? surveyId = null, Action? thenFail = null)
    {
        var survey = surveyId ?? DefaultSurveyId(app, workspaceId);
        var hooks = app.Services.GetRequiredService<WriteHooks>();
        var now = app.Time.GetUtcNow().ToUnixTimeMilliseconds();
        return app.Services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) =>
        {
            var display = ShowSurvey(c, tx, workspaceId, survey, who, now);
            var category = Category(score);
            var id = c.ExecuteScalar<long>("""
                INSERT INTO responses (display_id, workspace_id, survey_id, user_id, score, category, comment, created_at, updated_at)
                VALUES (@D, @W, @S, @U, @Score, @Category, @Comment, @Now, @Now) RETURNING id
                """, new { D = display.DisplayId, W = workspaceId, S = survey, U = who.UserId, Score = score, Category = category, Comment = comment, Now = now }, tx);
            var written = new ResponseWritten(id, display, score, category, comment, null, now, now, true, null, null);
            hooks.ResponseSaved(c, tx, written);
            thenFail?.Invoke();
            return written;
        });
    }

    /// <summary>The same token posting again: a new score or comment for the same response.</summary>
    public static Task<ResponseWritten> UpdateResponseAsync(PulseFactory app, ResponseWritten previous, int score, string? comment)
    {
        var hooks = app.Services.GetRequiredService<WriteHooks>();
        var now = app.Time.GetUtcNow().ToUnixTimeMilliseconds();
        return app.Services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) =>
        {
            var category = Category(score);
            c.Execute("UPDATE responses SET score = @Score, category = @Category, comment = @Comment, updated_at = @Now WHERE id = @Id",
                new { Score = score, Category = category, Comment = comment, Now = now, Id = previous.ResponseId }, tx);
            var written = previous with
            {
                Score = score, Category = category, Comment = comment, UpdatedAt = now, Created = false,
                PreviousScore = previous.Score, PreviousCategory = previous.Category,
            };
            hooks.ResponseSaved(c, tx, written);
            return written;
        });
    }

    public static Task<DeclineWritten> SaveDeclineAsync(PulseFactory app, string workspaceId, Respondent who, string? surveyId = null)
    {
        var survey = surveyId ?? DefaultSurveyId(app, workspaceId);
        var hooks = app.Services.GetRequiredService<WriteHooks>();
        var now = app.Time.GetUtcNow().ToUnixTimeMilliseconds();
        return app.Services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) =>
        {
            var display = ShowSurvey(c, tx, workspaceId, survey, who, now);
            c.Execute("UPDATE displays SET declined_at = @Now WHERE id = @Id", new { Now = now, Id = display.DisplayId }, tx);
            var written = new DeclineWritten(display, now);
            hooks.DeclineSaved(c, tx, written);
            return written;
        });
    }

    public static Task EraseUserAsync(PulseFactory app, string workspaceId, string userId)
    {
        var hooks = app.Services.GetRequiredService<WriteHooks>();
        return app.Services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) =>
        {
            hooks.UserErased(c, tx, workspaceId, userId);
            c.Execute("DELETE FROM end_users WHERE workspace_id = @W AND user_id = @U", new { W = workspaceId, U = userId }, tx);
        });
    }

    public static string Category(int score) => NpsCategory.Of(score);

    static DisplayWritten ShowSurvey(Microsoft.Data.Sqlite.SqliteConnection c, Microsoft.Data.Sqlite.SqliteTransaction tx,
        string workspaceId, string surveyId, Respondent who, long now)
    {
        c.Execute("""
            INSERT INTO end_users (workspace_id, user_id, email, first_seen_at, last_seen_at, traits)
            VALUES (@W, @U, @Email, @Now, @Now, @Traits)
            ON CONFLICT (workspace_id, user_id) DO UPDATE SET last_seen_at = @Now, traits = @Traits
            """, new { W = workspaceId, U = who.UserId, who.Email, Now = now, Traits = who.TraitsJson }, tx);
        var (display, _) = DisplayStore.Create(c, tx, workspaceId, surveyId, who.UserId, now, TimeSpan.FromDays(1), who.Email,
            who.TraitsJson, "en", "https://app.acme.test/jobs");
        return display.ToWritten();
    }
}
