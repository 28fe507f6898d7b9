using System.Data.Common;
using System.Runtime.CompilerServices;

namespace Pulse.Api.Storage;

/// <summary>
/// Work a hook may hold back until its batch commits, so the answers of one batch add to a shared row once
/// instead of once each (decision WR2). The writer keeps it in step with the batch's savepoints.
/// </summary>
public interface IBatchBuffer
{
    /// <summary>The running command succeeded: what it buffered joins the batch's.</summary>
    void Accept();

    /// <summary>The running command was rolled back to its savepoint: what it buffered is dropped.</summary>
    void Discard();

    /// <summary>Writes what the batch's accepted commands buffered, in the batch's transaction, and forgets it.</summary>
    void Flush(DbConnection connection, DbTransaction tx);
}

/// <summary>
/// The open batch of the writer's transaction (SQLite only, decision WR2). A hook asks <see cref="Buffer{T}"/> for its
/// buffer; it gets one only while the running command was queued as an append (<see cref="WriteQueue.AppendAsync{T}(Func{DbConnection, DbTransaction, T})"/>):
/// work that only adds to counters no command of the batch reads. Every other command runs after the buffers were
/// flushed, so it reads and writes the same rows as it would without them; the batch flushes them again before it commits.
/// </summary>
public sealed class WriteBatch
{
    static readonly ConditionalWeakTable<DbTransaction, WriteBatch> Open = new();

    readonly List<IBatchBuffer> _buffers = [];

    /// <summary>Whether the running command buffers (it was queued as an append).</summary>
    internal bool Appending { get; set; }

    /// <summary>The buffer of type <typeparamref name="T"/> of the batch of <paramref name="tx"/>, or null when its running command must write directly.</summary>
    public static T? Buffer<T>(DbTransaction tx) where T : class, IBatchBuffer, new()
    {
        if (!Open.TryGetValue(tx, out var batch) || !batch.Appending)
            return null;
        foreach (var buffer in batch._buffers)
            if (buffer is T found)
                return found;
        var created = new T();
        batch._buffers.Add(created);
        return created;
    }

    internal static WriteBatch Begin(DbTransaction tx)
    {
        var batch = new WriteBatch();
        Open.AddOrUpdate(tx, batch);
        return batch;
    }

    internal static void End(DbTransaction tx) => Open.Remove(tx);

    internal void Accept()
    {
        foreach (var buffer in _buffers)
            buffer.Accept();
    }

    internal void Discard()
    {
        foreach (var buffer in _buffers)
            buffer.Discard();
    }

    internal void Flush(DbConnection connection, DbTransaction tx)
    {
        foreach (var buffer in _buffers)
            buffer.Flush(connection, tx);
    }
}
