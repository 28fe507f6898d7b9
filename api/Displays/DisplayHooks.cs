using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;

namespace Pulse.Api.Displays;

/// <summary>A display as it was written: the trait snapshot, locale and variant are what segments use later.</summary>
public sealed record DisplayWritten(
    long DisplayId,
    string WorkspaceId,
    string SurveyId,
    string UserId,
    string? Email,
    string TraitsJson,
    string? Locale,
    string? Url,
    long ShownAt,
    string? Variant = null);

/// <summary>What must change with a display, in its transaction (see <see cref="IWriteHook"/>).</summary>
public interface IDisplayHook : IWriteHook
{
    /// <summary>Eligibility reserved a display (and upserted its user) in this transaction.</summary>
    void DisplayCreated(SqliteConnection c, SqliteTransaction tx, DisplayWritten display) { }

    /// <summary>Called for each display of an erased user before its row is deleted.</summary>
    void DisplayDeleted(SqliteConnection c, SqliteTransaction tx, DisplayWritten display) { }
}

/// <summary>All registered <see cref="IDisplayHook"/>s, called in registration order.</summary>
public sealed class DisplayHooks(IEnumerable<IDisplayHook> hooks) : WriteHooks<IDisplayHook>(hooks)
{
    public void DisplayCreated(SqliteConnection c, SqliteTransaction tx, DisplayWritten e) => Each(h => h.DisplayCreated(c, tx, e));

    public void DisplayDeleted(SqliteConnection c, SqliteTransaction tx, DisplayWritten e) => Each(h => h.DisplayDeleted(c, tx, e));
}
