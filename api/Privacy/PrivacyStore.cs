using System.Data.Common;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Users;

namespace Pulse.Api.Privacy;

/// <summary>
/// Opt-outs and erasure, written through the stores that own the rows (<see cref="EndUserStore"/>,
/// <see cref="DisplayStore"/>, <see cref="ResponseStore"/>). Both run inside a write-queue command
/// (the caller's transaction).
/// </summary>
public static class PrivacyStore
{
    /// <summary>Marks the user opted out (creating them if needed); false when they already were.</summary>
    /// <remarks>The hooks run either way, so a cached answer from before is dropped.</remarks>
    public static bool OptOut(DbConnection c, DbTransaction tx, string workspaceId, string userId, long now, PrivacyHooks hooks)
    {
        var changed = EndUserStore.OptOut(c, tx, workspaceId, userId, now);
        hooks.UserOptedOut(c, tx, workspaceId, userId);
        return changed;
    }

    /// <summary>
    /// Erases a user of a workspace: the hooks see each response and display before it goes, then
    /// <see cref="PrivacyHooks.UserErased"/> removes what they keep; then the rows are deleted.
    /// Returns whether anything of the user existed. Repeating it is harmless.
    /// </summary>
    public static bool Erase(DbConnection c, DbTransaction tx, string workspaceId, string userId, PrivacyHooks hooks)
    {
        var responses = ResponseStore.OfUser(c, tx, workspaceId, userId).ToDictionary(r => r.DisplayId);
        foreach (var display in DisplayStore.OfUser(c, tx, workspaceId, userId))
        {
            var written = display.ToWritten();
            if (responses.TryGetValue(display.Id, out var r))
                hooks.Responses.ResponseDeleted(c, tx, r.ToWritten(written));
            hooks.Displays.DisplayDeleted(c, tx, written);
        }
        hooks.UserErased(c, tx, workspaceId, userId);
        var deleted = ResponseStore.DeleteOfUser(c, tx, workspaceId, userId) + DisplayStore.DeleteOfUser(c, tx, workspaceId, userId);
        return EndUserStore.Delete(c, tx, workspaceId, userId) || deleted > 0;
    }
}
