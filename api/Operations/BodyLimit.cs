using Microsoft.AspNetCore.Http.Features;

namespace Pulse.Api.Operations;

/// <summary>Endpoint metadata: the largest request body this endpoint accepts, in bytes.</summary>
public sealed record BodyLimit(long Bytes);

/// <summary>
/// Thrown from inside the body stream when a body without a declared length passes its limit: the
/// reader (the JSON deserializer) is framework code, so an exception is the only way out. Answered 413.
/// Not an <see cref="IOException"/>, so no reader mistakes it for a broken connection.
/// </summary>
public sealed class BodyTooLargeException(long limit) : Exception($"This endpoint accepts a body of at most {limit} bytes; send a smaller one.");

public static class BodyLimitExtensions
{
    /// <summary>Refuses bodies over <paramref name="bytes"/> with 413 problem+json, whether or not they declare a length.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));

    /// <summary>Applies <see cref="BodyLimit"/> metadata; must run after routing.</summary>
    public static IApplicationBuilder UseBodyLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>();
        if (limit is not null)
        {
            if (context.Request.ContentLength > limit.Bytes)
            {
                await Problems.Of(StatusCodes.Status413PayloadTooLarge,
                    $"The request body is {context.Request.ContentLength} bytes; this endpoint accepts at most {limit.Bytes}. Send a smaller one.").ExecuteAsync(context);
                return;
            }
            var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (feature is { IsReadOnly: false })
                feature.MaxRequestBodySize = limit.Bytes;
            context.Request.Body = new LimitedStream(context.Request.Body, limit.Bytes);
        }
        await next(context);
    });

    /// <summary>Counts what is read and fails once the limit is passed (covers chunked bodies and test servers).</summary>
    sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        int Count(int n)
        {
            _read += n;
            if (_read > limit)
                throw new BodyTooLargeException(limit);
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
