using System.Data.Common;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;

namespace Pulse.Api.Team;

/// <summary>A one-time link was made for a member (an invitation or a password reset), with its full URL.</summary>
public sealed record LinkCreated(string WorkspaceId, string? WorkspaceName, string MemberId, string Email, string Kind, string? Role,
    string Link, long ExpiresAt, string? CreatedBy, long At);

/// <summary>
/// What must happen with a new one-time link, in its transaction (see <see cref="IWriteHook"/>):
/// the email outbox queues the link's email. Declared here so that Team does not depend on Email.
/// </summary>
public interface ILinkHook : IWriteHook
{
    /// <summary>True when the link will reach the person by email (the answer then says so).</summary>
    bool LinkCreated(DbConnection c, DbTransaction tx, LinkCreated link);
}

/// <summary>All registered <see cref="ILinkHook"/>s, called in registration order.</summary>
public sealed class LinkHooks(IEnumerable<ILinkHook> hooks) : WriteHooks<ILinkHook>(hooks)
{
    /// <summary>Calls every hook; true when one of them emails the link.</summary>
    public bool Created(DbConnection c, DbTransaction tx, LinkCreated link)
    {
        var emailed = false;
        Each(h => emailed |= h.LinkCreated(c, tx, link));
        return emailed;
    }
}
