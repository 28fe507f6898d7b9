using System.Text.Json;
using System.Text.Json.Serialization;
using Pulse.Api.Operations;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;

namespace Pulse.Api.Eligibility;

/// <summary>
/// Source-generated JSON metadata for the bodies and answers of the public (site-key) endpoints,
/// the hot paths: no reflection to build their contracts (the generated fast-path writer stays unused
/// while the options carry a converter, decisions H2). It sits first in the API's resolver chain (put there by <see cref="EligibilityEndpoints.AddEligibility"/>);
/// every other type still goes to the reflection resolver behind it. The options here are those of
/// <see cref="OperationsExtensions.Configure"/>, so the generated writers produce the same JSON
/// (decisions H2; <c>PublicJsonTests</c> compares both).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = 16,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(EligibilityRequest))]
[JsonSerializable(typeof(EligibilityResponse))]
[JsonSerializable(typeof(ResponsePost))]
[JsonSerializable(typeof(SavedResponse))]
[JsonSerializable(typeof(DeclinePost))]
[JsonSerializable(typeof(OptOutPost))]
public sealed partial class PublicJson : JsonSerializerContext;
