using System.Data.Common;
using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Storage;

namespace Pulse.Tests.Responses;

/// <summary>
/// A real <see cref="IWriteHook"/> that writes down what the writers report, in order, so tests can
/// check the hook contract other features (analytics, webhooks) rely on.
/// </summary>
public sealed class RecordingHook : IDisplayHook, IResponseHook, IPrivacyHook
{
    public ConcurrentQueue<(string Event, object Payload)> Events { get; } = new();

    public IReadOnlyList<T> Of<T>(string name) => Events.Where(e => e.Event == name).Select(e => (T)e.Payload).ToList();

    public void DisplayCreated(DbConnection c, DbTransaction tx, DisplayWritten display) => Events.Enqueue((nameof(DisplayCreated), display));

    public void ResponseSaved(DbConnection c, DbTransaction tx, ResponseWritten response) => Events.Enqueue((nameof(ResponseSaved), response));

    public void DeclineSaved(DbConnection c, DbTransaction tx, DeclineWritten decline) => Events.Enqueue((nameof(DeclineSaved), decline));

    public void ResponseDeleted(DbConnection c, DbTransaction tx, ResponseWritten response) => Events.Enqueue((nameof(ResponseDeleted), response));

    public void DisplayDeleted(DbConnection c, DbTransaction tx, DisplayWritten display) => Events.Enqueue((nameof(DisplayDeleted), display));

    public void UserOptedOut(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        Events.Enqueue((nameof(UserOptedOut), (workspaceId, userId)));

    public void UserErased(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        Events.Enqueue((nameof(UserErased), (workspaceId, userId)));
}
