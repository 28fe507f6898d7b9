using Microsoft.Data.Sqlite;

namespace Pulse.Api.Storage;

/// <summary>A display as it was written: the trait snapshot is what segments use later.</summary>
public sealed record DisplayWritten(
    long DisplayId,
    string WorkspaceId,
    string SurveyId,
    string UserId,
    string? Email,
    string TraitsJson,
    string? Locale,
    string? Url,
    long ShownAt);

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
    string? PreviousCategory);

/// <summary>A dismissal of a display.</summary>
public sealed record DeclineWritten(DisplayWritten Display, long DeclinedAt);

/// <summary>
/// Something that must change in the same transaction as a display, response or decline, so it
/// exists if and only if the data does: analytics aggregates, the webhook outbox. Writers call
/// every registered hook (through <see cref="WriteHooks"/>) inside the writer's transaction;
/// a hook that throws rolls the whole command back.
/// </summary>
public interface IWriteHook
{
    void DisplayCreated(SqliteConnection c, SqliteTransaction tx, DisplayWritten display) { }

    /// <summary>A response was created (<c>Created</c>) or updated (previous values given).</summary>
    void ResponseSaved(SqliteConnection c, SqliteTransaction tx, ResponseWritten response) { }

    void DeclineSaved(SqliteConnection c, SqliteTransaction tx, DeclineWritten decline) { }

    /// <summary>Called for each response of an erased user before its row is deleted.</summary>
    void ResponseDeleted(SqliteConnection c, SqliteTransaction tx, ResponseWritten response) { }

    /// <summary>Called for each display of an erased user before its row is deleted.</summary>
    void DisplayDeleted(SqliteConnection c, SqliteTransaction tx, DisplayWritten display) { }

    /// <summary>The user is gone: remove every row of yours that names them.</summary>
    void UserErased(SqliteConnection c, SqliteTransaction tx, string workspaceId, string userId) { }
}

/// <summary>All registered <see cref="IWriteHook"/>s, called in registration order.</summary>
public sealed class WriteHooks(IEnumerable<IWriteHook> hooks)
{
    readonly IWriteHook[] _hooks = hooks.ToArray();

    public void DisplayCreated(SqliteConnection c, SqliteTransaction tx, DisplayWritten e)
    {
        foreach (var h in _hooks) h.DisplayCreated(c, tx, e);
    }

    public void ResponseSaved(SqliteConnection c, SqliteTransaction tx, ResponseWritten e)
    {
        foreach (var h in _hooks) h.ResponseSaved(c, tx, e);
    }

    public void DeclineSaved(SqliteConnection c, SqliteTransaction tx, DeclineWritten e)
    {
        foreach (var h in _hooks) h.DeclineSaved(c, tx, e);
    }

    public void ResponseDeleted(SqliteConnection c, SqliteTransaction tx, ResponseWritten e)
    {
        foreach (var h in _hooks) h.ResponseDeleted(c, tx, e);
    }

    public void DisplayDeleted(SqliteConnection c, SqliteTransaction tx, DisplayWritten e)
    {
        foreach (var h in _hooks) h.DisplayDeleted(c, tx, e);
    }

    public void UserErased(SqliteConnection c, SqliteTransaction tx, string workspaceId, string userId)
    {
        foreach (var h in _hooks) h.UserErased(c, tx, workspaceId, userId);
    }
}
