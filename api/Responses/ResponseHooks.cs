using System.Data.Common;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Storage;

namespace Pulse.Api.Responses;

/// <summary>A response as it now stands, with the display it answers and, on an update, what it was before.</summary>
public sealed record ResponseWritten(
    long ResponseId,
    DisplayWritten Display,
    int Score,
    string Category,
    string? Comment,
    string? FollowUpJson,
    long CreatedAt,
    long UpdatedAt,
    bool Created,
    int? PreviousScore,
    string? PreviousCategory)
{
    /// <summary>The reasons the answer chose (none when the question was not asked or not answered).</summary>
    public ChosenReasons Reasons { get; init; } = ChosenReasons.None;

    /// <summary>On an update, the reasons the answer had chosen before it (none on a creation or an erasure).</summary>
    public ChosenReasons PreviousReasons { get; init; } = ChosenReasons.None;
}

/// <summary>A dismissal of a display.</summary>
public sealed record DeclineWritten(DisplayWritten Display, long DeclinedAt);

/// <summary>What must change with a response or decline, in its transaction (see <see cref="IWriteHook"/>).</summary>
public interface IResponseHook : IWriteHook
{
    /// <summary>A response was created (<c>Created</c>) or updated (previous values given).</summary>
    void ResponseSaved(DbConnection c, DbTransaction tx, ResponseWritten response) { }

    void DeclineSaved(DbConnection c, DbTransaction tx, DeclineWritten decline) { }

    /// <summary>Called for each response of an erased user before its row is deleted.</summary>
    void ResponseDeleted(DbConnection c, DbTransaction tx, ResponseWritten response) { }
}

/// <summary>All registered <see cref="IResponseHook"/>s, called in registration order.</summary>
public sealed class ResponseHooks(IEnumerable<IResponseHook> hooks) : WriteHooks<IResponseHook>(hooks)
{
    public void ResponseSaved(DbConnection c, DbTransaction tx, ResponseWritten e) => Each(h => h.ResponseSaved(c, tx, e));

    public void DeclineSaved(DbConnection c, DbTransaction tx, DeclineWritten e) => Each(h => h.DeclineSaved(c, tx, e));

    public void ResponseDeleted(DbConnection c, DbTransaction tx, ResponseWritten e) => Each(h => h.ResponseDeleted(c, tx, e));
}
