using System.Globalization;
using Pulse.Api.Surveys;

namespace Pulse.Api.Eligibility;

/// <summary>
/// Sticky A/B assignment. A user's variant of a survey is a hash of (workspace, survey, user)
/// mapped uniformly onto [0, total weight) and cut at the running sum of the weights: the same
/// user gets the same variant on every call, device and cycle. The hash input starts with
/// <c>variant|</c> and has no cycle, so it is independent of <see cref="Sampling"/> (which hashes
/// the same ids with the cycle): being sampled in says nothing about the variant.
/// </summary>
public static class VariantAssignment
{
    /// <summary>The key of the user's variant, or null when the survey has none.</summary>
    public static string? Assign(string workspaceId, string surveyId, string userId, IReadOnlyList<SurveyVariant> variants)
    {
        if (variants.Count == 0)
            return null;
        var input = string.Create(CultureInfo.InvariantCulture,
            $"variant|{workspaceId.Length}:{workspaceId}|{surveyId.Length}:{surveyId}|{userId.Length}:{userId}");
        var point = Sampling.Unit(input) * variants.Sum(v => v.Weight);
        var edge = 0.0;
        foreach (var variant in variants)
        {
            edge += variant.Weight;
            if (point < edge)
                return variant.Key;
        }
        return variants[^1].Key;
    }
}
