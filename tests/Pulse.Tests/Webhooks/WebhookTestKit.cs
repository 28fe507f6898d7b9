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
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Users;
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
/// Writes responses and declines through the product's write paths, in the order production
/// calls them inside one writer command: the user and display with the display hooks
/// (<see cref="DisplayStore.Show"/>), then <see cref="ResponseStore.Save"/> or
/// <see cref="ResponseStore.Decline"/> with the response hooks, so the webhook outbox commits with them.
/// </summary>
public static class Outbox
{
    public static string DefaultSurveyId(PulseFactory app, string workspaceId)
    {
        using var c = app.Db.Open();
        return TestData.SurveyId(c, null, workspaceId);
    }

    /// <summary>
    /// A survey of <paramref name="kind"/> written straight to the table, created at 0 — so it becomes the
    /// workspace's first (take <see cref="DefaultSurveyId"/> before adding one).
    /// </summary>
    public static string AddSurvey(PulseFactory app, string workspaceId, string name, string kind = "nps")
    {
        var id = "srv_" + Guid.NewGuid().ToString("n")[..12];
        using var c = app.Db.Open();
        c.Execute("INSERT INTO surveys (id, workspace_id, name, kind, created_at, updated_at) VALUES (@Id, @W, @Name, @Kind, 0, 0)",
            new { Id = id, W = workspaceId, Name = name, Kind = kind });
        return id;
    }

    public static Task<ResponseWritten> SaveResponseAsync(PulseFactory app, string workspaceId, Respondent who, int score,
        string? comment = null, string? surveyId = null, Action? thenFail = null)
    {
        var survey = surveyId ?? DefaultSurveyId(app, workspaceId);
        var responses = app.Services.GetRequiredService<ResponseHooks>();
        var now = app.Time.GetUtcNow().ToUnixTimeMilliseconds();
        return app.Services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) =>
        {
            var display = ShowSurvey(app, c, tx, workspaceId, survey, who, now);
            var category = QuestionKinds.Of(SurveyStore.Kind(c, tx, survey)).CategoryOf(score); // as the endpoint does: the survey's kind's
            var saved = ResponseStore.Save(c, tx, display, new ResponseChange(score, comment is not null, comment, false, null, category), now, responses)!;
            thenFail?.Invoke();
            return saved.Response;
        });
    }

    /// <summary>The same token posting again: a new score or comment for the same response.</summary>
    public static Task<ResponseWritten> UpdateResponseAsync(PulseFactory app, ResponseWritten previous, int score, string? comment)
    {
        var responses = app.Services.GetRequiredService<ResponseHooks>();
        var now = app.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var d = previous.Display;
        var display = new Display(d.DisplayId, d.WorkspaceId, d.SurveyId, d.UserId, d.ShownAt, long.MaxValue, previous.CreatedAt, null,
            d.Email, d.TraitsJson, d.Locale, d.Url);
        return app.Services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) =>
            ResponseStore.Save(c, tx, display, new ResponseChange(score, true, comment, false, null), now, responses)!.Response);
    }

    public static Task<DeclineWritten> SaveDeclineAsync(PulseFactory app, string workspaceId, Respondent who, string? surveyId = null)
    {
        var survey = surveyId ?? DefaultSurveyId(app, workspaceId);
        var responses = app.Services.GetRequiredService<ResponseHooks>();
        var now = app.Time.GetUtcNow().ToUnixTimeMilliseconds();
        return app.Services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) =>
        {
            var display = ShowSurvey(app, c, tx, workspaceId, survey, who, now);
            Assert.That(ResponseStore.Decline(c, tx, display, now, responses), Is.True);
            return new DeclineWritten(display.ToWritten(), now);
        });
    }

    /// <summary>Erases the user as <c>DELETE /v1/users/{id}</c> does.</summary>
    public static Task EraseUserAsync(PulseFactory app, string workspaceId, string userId)
    {
        var hooks = app.Services.GetRequiredService<PrivacyHooks>();
        return app.Services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) => PrivacyStore.Erase(c, tx, workspaceId, userId, hooks));
    }

    static Display ShowSurvey(PulseFactory app, System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx,
        string workspaceId, string surveyId, Respondent who, long now) =>
        DisplayStore.Show(c, tx, app.Services.GetRequiredService<DisplayHooks>(), workspaceId, surveyId,
            new UserSighting(who.UserId, who.Email, null, who.TraitsJson, now), TimeSpan.FromDays(1), who.Email, who.TraitsJson,
            "en", "https://app.acme.test/jobs").Display;
}
