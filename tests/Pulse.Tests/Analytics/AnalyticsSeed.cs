using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Users;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>A showing as stored: its display (and token) and, when answered, its response.</summary>
public sealed record Seeded(FakeShowing Showing, string SurveyId, long DisplayId, string Token, long? ResponseId, long ShownAt, long? AnsweredAt)
{
    public string? Category => Showing.Score is { } s ? NpsCategory.Of(s) : null;
}

/// <summary>
/// Writes displays and responses through the code the endpoints use — <see cref="DisplayStore.Show"/>
/// (user upsert, display, display hooks) and <see cref="ResponseStore.Save"/> with the response
/// hooks — in append commands of hundreds (<see cref="WriteQueue.AppendAsync{T}(Func{DbConnection, DbTransaction, T})"/>), for data
/// sets too large to post one request at a time.
/// </summary>
public sealed class AnalyticsSeed(PulseFactory app)
{
    public string SurveyOf(string workspaceId)
    {
        using var c = app.Db.Open();
        return TestData.SurveyId(c, null, workspaceId);
    }

    /// <summary>Stores the showings in commands of <paramref name="perCommand"/>, in order of time.</summary>
    public async Task<List<Seeded>> AddAsync(string workspaceId, IEnumerable<FakeShowing> showings, int perCommand = 500)
    {
        var writer = app.Services.GetRequiredService<WriteQueue>();
        var displays = app.Services.GetRequiredService<DisplayHooks>();
        var responses = app.Services.GetRequiredService<ResponseHooks>();
        var surveyId = SurveyOf(workspaceId);
        var result = new List<Seeded>();
        foreach (var chunk in showings.OrderBy(s => s.ShownAt).Chunk(perCommand))
            // Appends, as the endpoints queue them: on SQLite the aggregates of a command are summed and flushed before the commit (decision WR2).
            result.AddRange(await writer.AppendAsync((c, tx) => chunk.Select(s => Add(c, tx, displays, responses, workspaceId, surveyId, s)).ToList()));
        return result;
    }

    /// <summary>One showing (its display, and its answer if it has a score) written in the caller's write transaction.</summary>
    public static Seeded Add(DbConnection c, DbTransaction tx, DisplayHooks displays, ResponseHooks responses, string workspaceId,
        string surveyId, FakeShowing s)
    {
        var shownAt = s.ShownAt.ToUnixTimeMilliseconds();
        var traits = JsonSerializer.Serialize(s.User.Traits());
        var (display, token) = DisplayStore.Show(c, tx, displays, workspaceId, surveyId,
            new UserSighting(s.User.UserId, s.User.Email, null, traits, shownAt), TimeSpan.FromDays(7), s.User.Email, traits, s.Locale, s.Url);
        if (s.Score is not { } score)
            return new Seeded(s, surveyId, display.Id, token, null, shownAt, null);
        var at = shownAt + (long)s.AnswerAfter.TotalMilliseconds;
        var saved = ResponseStore.Save(c, tx, display, new ResponseChange(score, s.Comment is not null, s.Comment, false, null), at, responses)!;
        return new Seeded(s, surveyId, display.Id, token, saved.Response.ResponseId, shownAt, at);
    }
}
