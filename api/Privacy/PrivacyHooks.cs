using System.Data.Common;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;

namespace Pulse.Api.Privacy;

/// <summary>What must change when a user opts out or is erased, in that transaction (see <see cref="IWriteHook"/>).</summary>
public interface IPrivacyHook : IWriteHook
{
    /// <summary>The user opted out (or already had): they get no survey from now on.</summary>
    void UserOptedOut(DbConnection c, DbTransaction tx, string workspaceId, string userId) { }

    /// <summary>The user is gone: remove every row of yours that names them.</summary>
    void UserErased(DbConnection c, DbTransaction tx, string workspaceId, string userId) { }
}

/// <summary>
/// All registered hooks an erasure calls, in registration order: <see cref="Displays.IDisplayHook"/>
/// and <see cref="Responses.IResponseHook"/> for each row before it goes, then <see cref="IPrivacyHook"/>.
/// </summary>
public sealed class PrivacyHooks(IEnumerable<IPrivacyHook> hooks, Displays.DisplayHooks displays, Responses.ResponseHooks responses)
    : WriteHooks<IPrivacyHook>(hooks)
{
    public Displays.DisplayHooks Displays { get; } = displays;

    public Responses.ResponseHooks Responses { get; } = responses;

    public void UserOptedOut(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        Each(h => h.UserOptedOut(c, tx, workspaceId, userId));

    public void UserErased(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        Each(h => h.UserErased(c, tx, workspaceId, userId));
}
