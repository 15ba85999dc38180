package threecx

import (
	"context"
	"slices"
)

// ServicesPath is the path of the collection of the PBX's operating system services.
const ServicesPath = "/Services"

// ServicesPageSize is the $top of each page of services.
const ServicesPageSize = 100

// ServiceFields are the fields Services selects when the options select none.
var ServiceFields = []string{"Name", "DisplayName", "Status"}

// ServiceStatus is the state of an operating system service, with the values of the
// XAPI's Pbx.ServiceStatus enumeration.
type ServiceStatus string

// The values of ServiceStatus.
const (
	ServiceStopped         ServiceStatus = "Stopped"
	ServiceStartPending    ServiceStatus = "StartPending"
	ServiceStopPending     ServiceStatus = "StopPending"
	ServiceRunning         ServiceStatus = "Running"
	ServiceContinuePending ServiceStatus = "ContinuePending"
	ServicePausePending    ServiceStatus = "PausePending"
	ServicePaused          ServiceStatus = "Paused"
)

// ServiceStatuses returns every value of ServiceStatus, in the order of the XAPI's schema.
func ServiceStatuses() []ServiceStatus {
	return []ServiceStatus{
		ServiceStopped, ServiceStartPending, ServiceStopPending, ServiceRunning,
		ServiceContinuePending, ServicePausePending, ServicePaused,
	}
}

// Service is one operating system service of the PBX, such as its call flow server.
type Service struct {
	// Name is the service's unique name.
	Name        string `json:"Name"`
	DisplayName string `json:"DisplayName"`
	// Status is nil when the PBX sent null.
	Status *ServiceStatus `json:"Status"`
}

// Services fetches every service, page by page. Without a $select in opts it selects
// ServiceFields.
func (c *Client) Services(ctx context.Context, opts QueryOptions) ([]Service, error) {
	if len(opts.Select) == 0 {
		opts.Select = slices.Clone(ServiceFields)
	}
	return GetAll[Service](ctx, c, ServicesPath, opts, ServicesPageSize)
}
