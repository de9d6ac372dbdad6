import { serviceConfig } from '../../config';

export default serviceConfig(__dirname);
