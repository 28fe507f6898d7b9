using System.Data.Common;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;

namespace Pulse.Api.Displays;

/// <summary>How a survey reached the user: a display's <c>channel</c> (migration 0130).</summary>
public static class Channels
{
    /// <summary>The widget in the vendor's product (every display before channels existed).</summary>
    public const string InApp = "in_app";

    /// <summary>A personal link opened on the hosted survey page.</summary>
    public const string Link = "link";

    /// <summary>A personal link that a survey email carried.</summary>
    public const string Email = "email";

    public static readonly IReadOnlyList<string> All = [InApp, Email, Link];
}

/// <summary>A display as it was written: the trait snapshot, locale, variant and channel are what segments use later.</summary>
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
    string? Variant = null,
    string Channel = Channels.InApp);

/// <summary>What must change with a display, in its transaction (see <see cref="IWriteHook"/>).</summary>
public interface IDisplayHook : IWriteHook
{
    /// <summary>Eligibility reserved a display (and upserted its user) in this transaction.</summary>
    void DisplayCreated(DbConnection c, DbTransaction tx, DisplayWritten display) { }

    /// <summary>Called for each display of an erased user before its row is deleted.</summary>
    void DisplayDeleted(DbConnection c, DbTransaction tx, DisplayWritten display) { }
}

/// <summary>All registered <see cref="IDisplayHook"/>s, called in registration order.</summary>
public sealed class DisplayHooks(IEnumerable<IDisplayHook> hooks) : WriteHooks<IDisplayHook>(hooks)
{
    public void DisplayCreated(DbConnection c, DbTransaction tx, DisplayWritten e) => Each(h => h.DisplayCreated(c, tx, e));

    public void DisplayDeleted(DbConnection c, DbTransaction tx, DisplayWritten e) => Each(h => h.DisplayDeleted(c, tx, e));
}
