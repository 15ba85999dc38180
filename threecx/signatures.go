package threecx

// Signatures returns every function signature the client calls, so that a test can hold
// them against the vendor's OpenAPI description.
func Signatures() []Signature {
	return []Signature{
		UserActivitySignature,
		DownloadUserActivitySignature,
		StatisticSLASignature,
		DetailedQueueStatisticsSignature,
		AbandonedQueueCallsSignature,
		ExtensionStatisticsSignature,
		AgentsInQueueSignature,
	}
}
